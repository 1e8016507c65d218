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
        try TestDatabase.with(schema: .binary) { db in
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
                // A guard against a hang, not a speed check (the demo prints its own time,
                // and speed is `kheo bench`'s): alone a run takes about 30 s, but beside
                // the rest of the suite on 2 cores one has taken over 240 s.
                let status = try demo.wait(timeout: .seconds(600))
                try #require(status == 0, "kheo demo failed:\n\(demo.output.suffix(3000))")
                return demo.output
            }
            let first = try run()
            let second = try run()
            /// The figures: the table and the refusals, not the timings or the job
            /// counts (a real-time hourly fire may add a scan).
            func figures(_ output: String) -> [String] {
                output.split(separator: "\n").map(String.init).filter { line in
                    ["Huyện", "Thành phố", "Xã", "Phường", "Thị trấn", "Toàn tỉnh", "Refused", "Rejected", "Province", "Reorganised"]
                        .contains { line.hasPrefix($0) }
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
            // The year's table is the last: the two-tier tree of 31/12/2025.
            let row = try #require(figures(second).last { $0.hasPrefix("Toàn tỉnh") })
            #expect(row.split(separator: " ").map(String.init) == [
                "Toàn", "tỉnh", byField(.economy), byField(.cultureSociety), byField(.defenceSecurity), byField(.politicalSystem),
                "\(all.modelsRegistered)", "\(all.modelsRecognised)", String(format: "%.1f", all.recognitionRate ?? 0), "%",
                "\(all.inspectionsDone)/\(all.inspectionsPlanned)", "\(all.deadlinesMet)", "\(all.deadlinesMetLate)", "\(all.deadlinesOverdue)", "\(reminders)",
            ], "the summary's province row is the snapshot's")
            #expect(all.modelsRegistered > 100 && all.modelsRecognised > 0 && all.deadlinesOverdue > 0 && all.inspectionsDone > 0 && reminders > 0,
                    "the year had models, outcomes, late units, visits and reminders: \(all)")
            #expect(try demo.query("SELECT count(*) AS n FROM kheo.all_jobs WHERE state <> 'completed'").single().decode("n", as: Int64.self) == 0,
                    "every job the year set off completed")

            // The reorganisation of 01/07/2025 ran mid-year: the first half's table has
            // the districts, the year's the communes and wards directly under the
            // province, and the province's total is theirs.
            #expect(first.contains("Reorganised on 01/07/2025:"), "\(first)")
            let lines = figures(second)
            let halfRows = lines.prefix { !$0.hasPrefix("Toàn tỉnh") }.filter { $0.hasPrefix("Huyện") || $0.hasPrefix("Thành phố") }
            #expect(halfRows.count == 2, "the first half by its 2 districts: \(lines)")
            let yearRows = lines.drop { !$0.hasPrefix("Toàn tỉnh") }.dropFirst().prefix { !$0.hasPrefix("Toàn tỉnh") }
            let standing: [Int64] = try demo.query(
                "SELECT danvan.unit_children_on($1, '2025-12-31') AS id", province
            ).map { try $0.decode("id") }
            let communes: [(Int64, String)] = try demo.query(
                "SELECT id, name FROM danvan.units WHERE id = ANY($1::bigint[]) AND kind = 'commune' ORDER BY path", standing
            ).map { (try $0.decode("id"), try $0.decode("name")) }
            let rowNames = yearRows.map { $0.split(separator: " ").prefix(2).joined(separator: " ") }.sorted()
            #expect(!communes.isEmpty && rowNames == communes.map { $0.1.split(separator: " ").prefix(2).joined(separator: " ") }.sorted(),
                    "the year by its communes: \(yearRows)")
            #expect(!rowNames.contains { $0.hasPrefix("Thị") }, "no town (thị trấn) stands after 01/07/2025: \(rowNames)")
            let underProvince = try communes.reduce(0) { total, commune in
                total + (try StatisticsFigures.read(unit: commune.0, period: year, on: demo).first { $0.field == nil }?.modelsRegistered ?? 0)
            }
            // Every model of the year counts for the province once; those not under a
            // commune on 31/12 are the province's own bodies' and the dissolved
            // districts' (handed to the province).
            let models = try demo.query("SELECT count(*) AS n FROM danvan.models").single().decode("n", as: Int64.self)
            let outsideCommunes = try demo.query(
                """
                SELECT count(*) AS n FROM danvan.models AS m WHERE NOT EXISTS (
                    SELECT 1 FROM danvan.unit_lineage('2025-12-31') AS l WHERE l.unit_id = m.unit_id AND l.counts_for = ANY ($1::bigint[]))
                """,
                communes.map(\.0)
            ).single().decode("n", as: Int64.self)
            #expect(Int64(all.modelsRegistered) == models, "each model of the year once in the province's total")
            #expect(all.modelsRegistered == underProvince + Int(outsideCommunes), "the province's total is its communes' and the rest, each once")

            let reports = try demo.query("SELECT count(DISTINCT (unit_id, period_id)) AS n FROM danvan.reports").single().decode("n", as: Int64.self)
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != "van-ban" }.sorted()
            #expect(reports == Int64(3 + 2 * (1 + communes.count)), "sơ kết for the province and 2 districts; sơ kết of the second half and tổng kết for it and its communes")
            #expect(files.count == 2 * Int(reports), "HTML and CSV for each report: \(files)")
            let annual = try #require(files.first { $0.hasPrefix("tinh-") && $0.hasSuffix("tong-ket-nam-2025.html") })
            let html = try String(contentsOf: folder.appendingPathComponent(annual), encoding: .utf8)
            #expect(html.contains("tổng kết năm 2025") && html.contains("TỈNH ỦY"), "\(html.prefix(600))")

            // The year's documents: both halves and the year, for the province and the
            // districts (first half) or the communes (after 01/07/2025), as .docx and
            // .xlsx, each file the registry's bytes.
            let issued = try demo.query(
                "SELECT kind::text AS kind, count(*) AS n FROM danvan.documents WHERE status = 'issued' GROUP BY kind"
            ).reduce(into: [String: Int64]()) { $0[try $1.decode("kind")] = try $1.decode("n") }
            #expect(issued["review_report"] == reports && issued["statistics_workbook"] == reports, "\(issued)")
            #expect((issued["inspection_plan"] ?? 0) > 0 && issued["inspection_plan"] == issued["inspection_schedule"], "\(issued)")
            #expect((issued["inspection_conclusion"] ?? 0) > 0, "\(issued)")
            #expect(try demo.query("SELECT count(*) AS n FROM danvan.documents WHERE status = 'draft'").single().decode("n", as: Int64.self) == 0)
            let written = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("van-ban").path)
            let checksums = Set(try demo.query(
                "SELECT encode(sha256, 'hex') AS h FROM danvan.document_files WHERE format IN ('docx', 'xlsx')"
            ).map { try $0.decode("h", as: String.self) })
            #expect(written.count == checksums.count, "one file per issued document")
            for name in written {
                let data = try Data(contentsOf: folder.appendingPathComponent("van-ban").appendingPathComponent(name))
                let hash: String = try demo.query("SELECT encode(sha256($1), 'hex') AS h", data).single().decode("h")
                #expect(checksums.contains(hash), "\(name) is not byte for byte a stored document")
            }
            let checked = try OfficeDocumentCheck.run(on: demo, into: folder.appendingPathComponent("office-check"))
            print(checked)
        }
    }
}
