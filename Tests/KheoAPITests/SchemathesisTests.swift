import DanVan
import Foundation
import Kheo
import KheoAPI
import KheoTesting
import PostgresClient
import Testing

/// Property-based fuzzing of the running API against its own OpenAPI document, by
/// schemathesis (from PyPI; scripts/test installs it): every operation gets requests
/// that follow the schema and requests that break it, with an admin token of the
/// district so every operation is reachable. It must find no 5xx, no response that
/// breaks the document and no invalid request accepted.
///
/// One check is left out: that every schema-valid request is accepted. Job args are
/// free JSON, and JSON strings may hold NUL (`\u0000`), which PostgreSQL's jsonb
/// cannot store; such a body answers 400, as the document says, and no JSON Schema can
/// forbid NUL at every depth without losing what args mean.
@Suite("HTTP API: schemathesis")
struct SchemathesisTests {
    static let pinned = "4.32.5"

    @Test func aFuzzRunFindsNothing() async throws {
        let executable = try #require(Self.find("schemathesis"), """
            schemathesis is not installed: scripts/test installs it; by hand: python3 -m pip install 'schemathesis==\(Self.pinned)'
            """)
        // The server's own body limit: the harness's smaller one would refuse (413) bodies
        // the document allows, such as a part of 20,000 escaped characters.
        try await APIHarness.with(maxBodyBytes: APIServer.Configuration.defaultMaxBodyBytes) { api in
            let units = try api.units()
            let admin = try api.token(units.district, .admin)
            _ = try await api.enqueue(3, token: admin)
            try await Self.seed(api, units)
            let process = Process()
            process.executableURL = executable
            process.arguments = [
                "run", api.base.appendingPathComponent("openapi.yaml").absoluteString,
                "--header", "Authorization: Bearer \(admin)", "--checks", "all", "--exclude-checks", "positive_data_acceptance",
                "--max-examples", "50", "--seed", "20261123", "--no-color",
            ]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            var environment = ProcessInfo.processInfo.environment
            environment["SCHEMATHESIS_TELEMETRY"] = "false"
            process.environment = environment
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            // The whole report, for the failure whose request the summary cuts short.
            let report = URL(fileURLWithPath: ".build/schemathesis-report.txt")
            try? text.write(to: report, atomically: true, encoding: .utf8)
            #expect(process.terminationStatus == 0, "schemathesis found failures (whole report: \(report.path)):\n\(text.suffix(6000))")
            #expect(text.contains("Tested: "), "\(text.suffix(2000))")
        }
    }

    /// One of each resource, so the small ids the fuzzer tries reach real rows and not
    /// only 404s: a campaign, a model, a deadline, an activity, a scheduled plan, a
    /// webhook, a period with statistics, and a report.
    static func seed(_ api: APIHarness, _ units: APIHarness.Units) async throws {
        let pool = api.db.pool
        let registry = ModelRegistry()
        let campaign = try registry.createCampaign(
            named: "Dân vận khéo 2025", unit: units.district, from: try CivilDate(parsing: "01/01/2025"), to: try CivilDate(parsing: "31/12/2025"), on: pool
        )
        try registry.setWindow(
            campaign: campaign, unitKind: .commune, opens: try CivilDate(parsing: "01/01/2025"), closes: try CivilDate(parsing: "31/12/2025"),
            collectiveQuota: 100, individualQuota: 100, on: pool
        )
        _ = try registry.register(.init(
            campaignID: campaign, unitID: units.communeA, field: .economy, holder: .collective, holderName: "Chi hội Nông dân", title: "Nuôi bò",
            day: try CivilDate(parsing: "15/02/2025")
        ), by: .system, on: pool)
        _ = try DeadlineBook().create(for: units.communeA, kind: .other, title: "Báo cáo", due: try CivilDate(parsing: "15/06/2025"), by: .system, on: pool)
        try ActivityLog().record(.conference, by: units.communeA, title: "Hội nghị", on: try CivilDate(parsing: "10/03/2025"), attendees: 50, on: pool)
        _ = try InspectionPlans().submit(InspectionPlan(
            issuingUnit: units.district, delegations: [.init(id: 1, name: "Đoàn 1", leader: "Lê Văn Bình", members: ["Lê Văn Bình"])],
            targets: [units.communeA, units.communeB], firstDay: try CivilDate(parsing: "04/08/2025"), lastDay: try CivilDate(parsing: "29/08/2025")
        ), title: "Kiểm tra", on: pool)
        let period = try Periods().create(.year, named: "năm 2025", from: try CivilDate(parsing: "01/01/2025"), to: try CivilDate(parsing: "31/12/2025"), on: pool)
        try pool.transaction { connection in _ = try StatisticsBuilder.regenerate(in: connection) }
        try Producer().enqueue(ReportJobs.Generate(unitID: units.district, periodID: period.id), options: EnqueueOptions(queue: DanVanJobs.queue), on: pool)
        try await api.drainDomainQueue()
        // After the drain: its deliveries would fail and retry for minutes.
        try Webhooks().register(unit: units.communeA, url: "http://127.0.0.1:9/hook", secret: "0123456789abcdef", on: pool)
    }

    static func find(_ name: String) -> URL? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/local/bin", "/root/.local/bin"]
        return paths.map { URL(fileURLWithPath: $0).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}
