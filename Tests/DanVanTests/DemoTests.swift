import DanVan
import Foundation
import KheoTesting
import PostgresClient
import Testing

/// `kheo demo` end to end, on a small province: it finishes, its summary agrees with
/// the statistics it leaves behind, its reports are written in Vietnamese, and a
/// second run with the same seed prints the same figures.
@Suite("kheo demo")
struct DemoTests {
    @Test func aSecondRunGivesTheSameYearAndTheSummaryMatchesTheStatistics() throws {
        try TestDatabase.with { db in
            let demoDatabase = "\(db.name)_demo"
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kheo-demo-test-\(UUID().uuidString)")
            defer {
                try? FileManager.default.removeItem(at: folder)
                if let admin = try? TestDatabase.adminConnection(), let quoted = try? admin.quoteIdentifier(demoDatabase) {
                    try? admin.execute(script: "DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)")
                }
            }
            func run() throws -> String {
                let demo = try KheoProcess.start(
                    ["demo", "--districts", "2", "--seed", "7", "--database", demoDatabase, "--output", folder.path, "--log-level", "warning"],
                    environment: ["DATABASE_URL": db.url]
                )
                let status = try demo.wait(timeout: .seconds(240))
                try #require(status == 0, "kheo demo failed:\n\(demo.output.suffix(3000))")
                return demo.output
            }
            let first = try run()
            let second = try run()
            /// The figures: the table and the refusals, not the timings or the job
            /// counts (a real-time hourly fire may add a scan).
            func figures(_ output: String) -> [String] {
                output.split(separator: "\n").map(String.init).filter {
                    $0.hasPrefix("Huyện") || $0.hasPrefix("Thành phố") || $0.hasPrefix("Toàn tỉnh") || $0.hasPrefix("Refused") || $0.hasPrefix("Rejected")
                        || $0.hasPrefix("Province")
                }
            }
            #expect(figures(first).count >= 4, "\(first)")
            #expect(figures(first) == figures(second), "same seed, same year")

            // The province row against the statistics left in the demo's database.
            var configuration = db.configuration
            configuration.database = demoDatabase
            let demo = try PostgresConnection.connect(to: configuration)
            let province: Int64 = try demo.query("SELECT id FROM danvan.units WHERE parent_id IS NULL").single().decode("id")
            let year: Int64 = try demo.query("SELECT id FROM danvan.periods WHERE kind = 'year'").single().decode("id")
            let snapshot = try StatisticsFigures.read(unit: province, period: year, on: demo)
            let all = try #require(snapshot.first { $0.field == nil })
            let byField = { (field: Model.Field) in String(snapshot.first { $0.field == field }?.modelsRegistered ?? 0) }
            let reminders = try demo.query("SELECT count(*) AS n FROM danvan.notifications WHERE kind = 'deadline.reminder'").single().decode("n", as: Int64.self)
            let row = try #require(figures(second).first { $0.hasPrefix("Toàn tỉnh") })
            #expect(row.split(separator: " ").map(String.init) == [
                "Toàn", "tỉnh", byField(.economy), byField(.cultureSociety), byField(.defenceSecurity), byField(.politicalSystem),
                "\(all.modelsRegistered)", "\(all.modelsRecognised)", String(format: "%.1f", all.recognitionRate ?? 0), "%",
                "\(all.inspectionsDone)/\(all.inspectionsPlanned)", "\(all.deadlinesMet)", "\(all.deadlinesMetLate)", "\(all.deadlinesOverdue)", "\(reminders)",
            ], "the summary's province row is the snapshot's")
            #expect(all.modelsRegistered > 100 && all.modelsRecognised > 0 && all.deadlinesOverdue > 0 && all.inspectionsDone > 0 && reminders > 0,
                    "the year had models, outcomes, late units, visits and reminders: \(all)")
            #expect(try demo.query("SELECT count(*) AS n FROM kheo.jobs WHERE state <> 'completed'").single().decode("n", as: Int64.self) == 0,
                    "every job the year set off completed")

            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            #expect(files.count == 12, "sơ kết and tổng kết, HTML and CSV, for the province and 2 districts: \(files)")
            let annual = try #require(files.first { $0.hasPrefix("tinh-") && $0.hasSuffix("tong-ket-nam-2025.html") })
            let html = try String(contentsOf: folder.appendingPathComponent(annual), encoding: .utf8)
            #expect(html.contains("TỔNG KẾT") && html.contains("Tỉnh "), "\(html.prefix(600))")
        }
    }
}
