import DanVan
import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Testing

@Suite("Reports")
struct ReportTests {
    /// A district's six-month report: in Vietnamese, its figures those of the snapshot,
    /// names escaped in HTML and defused in CSV.
    @Test func aSixMonthReportMatchesTheSnapshot() throws {
        try TestDatabase.with(schema: .domain) { db in
            let units = UnitDirectory()
            let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let district = try units.create(.district, named: "Huyện Châu Thành", under: province.id, on: db.pool)
            let communes = [
                try units.create(.commune, named: "Hòa Lợi", under: district.id, on: db.pool),
                try units.create(.commune, named: "<script>alert(1)</script>", under: district.id, on: db.pool),
                try units.create(.commune, named: "=HYPERLINK(\"http://x\")", under: district.id, on: db.pool),
            ]
            let registry = ModelRegistry()
            let campaign = try registry.createCampaign(named: "Dân vận khéo 2024", unit: district.id, from: try CivilDate(parsing: "01/01/2024"), to: try CivilDate(parsing: "31/12/2024"), on: db.pool)
            try registry.setWindow(campaign: campaign, unitKind: .commune, opens: try CivilDate(parsing: "01/01/2024"), closes: try CivilDate(parsing: "30/06/2024"), collectiveQuota: 10, individualQuota: 15, on: db.pool)
            let fields: [Model.Field] = [.economy, .economy, .cultureSociety, .defenceSecurity, .politicalSystem]
            var models: [Model] = []
            for (index, field) in fields.enumerated() {
                models.append(try registry.register(ModelRegistration(
                    campaignID: campaign, unitID: communes[index % 2].id, field: field, holder: index == 0 ? .individual : .collective,
                    holderName: "Người thực hiện \(index)", title: "Mô hình \(index)", day: try CivilDate(parsing: "15/03/2024")
                ), by: .system, on: db.pool))
            }
            for model in models.prefix(2) {
                for state in [Model.State.implementing, .evaluated, .recognised] {
                    _ = try registry.transition(model.id, to: state, on: try CivilDate(parsing: "01/05/2024"), by: .system, pool: db.pool)
                }
            }
            let period: Int64 = try db.pool.query(
                "INSERT INTO danvan.periods (kind, name, starts_on, ends_on) VALUES ('six_month', '6 tháng đầu năm 2024', '2024-01-01', '2024-06-30') RETURNING id"
            ).single().decode("id")
            try db.pool.transaction { connection in _ = try StatisticsBuilder.regenerate(in: connection) }
            try Producer().enqueue(ReportJobs.Generate(unitID: district.id, periodID: period), options: EnqueueOptions(queue: DanVanJobs.queue), on: db.pool)
            try Producer().enqueue(ReportJobs.Generate(unitID: 987_654, periodID: period), options: EnqueueOptions(queue: DanVanJobs.queue), on: db.pool)
            var jobs = JobRegistry()
            DanVanJobs.register(in: &jobs)
            let node = try WorkerNode(database: db.configuration, registry: jobs, configuration: WorkerConfiguration(queues: DanVanJobs.queues(concurrency: 1), stopWhenEmpty: true))
            try node.start()
            node.wait()

            let report = try db.pool.query("SELECT title, html, csv FROM danvan.reports WHERE unit_id = $1", district.id).single()
            let title: String = try report.decode("title")
            let html: String = try report.decode("html")
            let csv: String = try report.decode("csv")
            #expect(title == "Báo cáo sơ kết 6 tháng đầu năm 2024 phong trào thi đua “Dân vận khéo” – Huyện Châu Thành")
            #expect(html.contains("<h1>BÁO CÁO</h1>") && html.contains("HUYỆN ỦY CHÂU THÀNH"), "laid out as the district's document")
            #expect(html.contains("Toàn huyện Châu Thành có 5 mô hình “Dân vận khéo” đăng ký"), "\(html)")
            #expect(html.contains("2 mô hình được công nhận (tỷ lệ 40,0% số mô hình đăng ký)"), "\(html)")
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>alert"))
            let lines = csv.dropFirst().components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(csv.hasPrefix("\u{FEFF}Đơn vị,Mô hình đăng ký,Kinh tế"))
            #expect(lines.count == 5, "the header, the three communes and the total: \(lines)")
            #expect(lines.last == "Tổng cộng,5,2,1,1,1,2,\"40,0\",0", "registered by field, recognised, rate, commended: \(lines)")
            #expect(lines.contains { $0.hasPrefix("\"'=HYPERLINK(\"\"http://x\"\")\",0,") }, "a formula-like name is quoted as text: \(lines)")
            let snapshot = try StatisticsFigures.read(unit: district.id, period: period, on: db.pool).first { $0.field == nil }
            #expect(snapshot?.modelsRegistered == 5 && snapshot?.modelsRecognised == 2)
            let discarded = try db.pool.query("SELECT errors::text AS errors FROM kheo.all_jobs WHERE state = 'discarded'").single().decode("errors", as: String.self)
            #expect(discarded.contains("unit 987654 does not exist"))
        }
    }
}
