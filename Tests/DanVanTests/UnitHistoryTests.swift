import DanVan
import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Testing

/// The tree over time: the three-tier tree until 30/06/2025, the two-tier one from
/// 01/07/2025, and the figures and reports of both.
@Suite("Units over time")
struct UnitHistoryTests {
    static func day(_ text: String) throws -> CivilDate { try CivilDate(parsing: text) }

    /// Trà Vinh → Càng Long → Mỹ Cẩm, An Trường, Huyền Hội (with a hamlet under Mỹ Cẩm);
    /// a campaign of the province for each year; the years as periods.
    struct World {
        let province: Int64, district: Int64, myCam: Int64, anTruong: Int64, huyenHoi: Int64, hamlet: Int64
        let campaign2024: Int64, campaign2025: Int64
        let year2024: Int64, year2025: Int64
    }

    static func world(_ db: TestDatabase) throws -> World {
        let units = UnitDirectory()
        let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
        let district = try units.create(.district, named: "Càng Long", under: province.id, on: db.pool)
        let myCam = try units.create(.commune, named: "Mỹ Cẩm", under: district.id, on: db.pool)
        let anTruong = try units.create(.commune, named: "An Trường", under: district.id, on: db.pool)
        let huyenHoi = try units.create(.commune, named: "Huyền Hội", under: district.id, on: db.pool)
        let hamlet = try units.create(.hamlet, named: "Ấp Mỹ Hòa", under: myCam.id, on: db.pool)
        let registry = ModelRegistry()
        var campaigns: [Int64] = []
        for year in [2024, 2025] {
            let campaign = try registry.createCampaign(
                named: "Dân vận khéo \(year)", unit: province.id, from: try day("01/01/\(year)"), to: try day("31/12/\(year)"), on: db.pool
            )
            for kind in [OrgUnit.Kind.commune, .hamlet] {
                try registry.setWindow(
                    campaign: campaign, unitKind: kind, opens: try day("01/01/\(year)"), closes: try day("31/12/\(year)"),
                    collectiveQuota: 10, individualQuota: 15, on: db.pool
                )
            }
            campaigns.append(campaign)
        }
        let periods = Periods()
        let year2024 = try periods.create(.year, named: "Năm 2024", from: try day("01/01/2024"), to: try day("31/12/2024"), on: db.pool)
        let year2025 = try periods.create(.year, named: "Năm 2025", from: try day("01/01/2025"), to: try day("31/12/2025"), on: db.pool)
        return World(
            province: province.id, district: district.id, myCam: myCam.id, anTruong: anTruong.id, huyenHoi: huyenHoi.id, hamlet: hamlet.id,
            campaign2024: campaigns[0], campaign2025: campaigns[1], year2024: year2024.id, year2025: year2025.id
        )
    }

    static func register(_ count: Int, for unit: Int64, in campaign: Int64, on date: String, _ db: TestDatabase) throws {
        for index in 0..<count {
            _ = try ModelRegistry().register(ModelRegistration(
                campaignID: campaign, unitID: unit, field: index % 2 == 0 ? .economy : .cultureSociety, holder: .collective,
                holderName: "Chi hội \(index)", title: "Mô hình \(unit)-\(date)-\(index)", day: try day(date)
            ), by: .system, on: db.pool)
        }
    }

    /// Models registered, per unit, in the current snapshot for `period`.
    static func registered(_ period: Int64, _ db: TestDatabase) throws -> [Int64: Int] {
        var figures: [Int64: Int] = [:]
        for row in try db.pool.query(
            """
            SELECT s.unit_id, s.models_registered FROM danvan.statistics AS s
            WHERE s.period_id = $1 AND s.field = 'all'
            """,
            period
        ) {
            figures[try row.decode("unit_id")] = Int(try row.decode("models_registered", as: Int32.self))
        }
        return figures
    }

    static func regenerate(_ db: TestDatabase) throws {
        try db.pool.transaction { connection in _ = try StatisticsBuilder.regenerate(in: connection) }
    }

    /// Runs `report.generate` for each (unit, period) and returns the HTML and CSV each wrote.
    static func reports(_ requests: [(unit: Int64, period: Int64)], _ db: TestDatabase) throws -> [String] {
        for request in requests {
            try Producer().enqueue(
                ReportJobs.Generate(unitID: request.unit, periodID: request.period), options: EnqueueOptions(queue: DanVanJobs.queue), on: db.pool
            )
        }
        var jobs = JobRegistry()
        DanVanJobs.register(in: &jobs)
        let node = try WorkerNode(
            database: db.configuration, registry: jobs,
            configuration: WorkerConfiguration(queues: DanVanJobs.queues(concurrency: 1), stopWhenEmpty: true)
        )
        try node.start()
        node.wait()
        return try requests.map { request in
            let row = try db.pool.query(
                "SELECT html, csv FROM danvan.reports WHERE unit_id = $1 AND period_id = $2 ORDER BY id DESC LIMIT 1", request.unit, request.period
            ).single()
            return try row.decode("html", as: String.self) + "\n---\n" + row.decode("csv", as: String.self)
        }
    }

    /// Mỹ Cẩm and An Trường merge into a new commune on 01/07/2025, directly under the
    /// province; Huyền Hội moves under the province; the district is dissolved and its
    /// work handed to the province. The 2024 reports read exactly as before; 2025's
    /// figures carry both predecessors' models in the successor, once; each year the
    /// province's total is the sum over the units under it that year.
    @Test func aMergerKeepsThePastAndCountsItsFiguresOnceAfter() throws {
        try TestDatabase.with(schema: .domain) { db in
            let w = try Self.world(db)
            try Self.register(3, for: w.myCam, in: w.campaign2024, on: "15/03/2024", db)
            try Self.register(2, for: w.anTruong, in: w.campaign2024, on: "20/04/2024", db)
            try Self.register(1, for: w.huyenHoi, in: w.campaign2024, on: "02/05/2024", db)
            try Self.register(1, for: w.hamlet, in: w.campaign2024, on: "02/05/2024", db)
            // The 2025 campaign, before the reorganisation.
            try Self.register(2, for: w.myCam, in: w.campaign2025, on: "10/02/2025", db)
            try Self.register(1, for: w.anTruong, in: w.campaign2025, on: "11/02/2025", db)
            try Self.register(1, for: w.huyenHoi, in: w.campaign2025, on: "12/02/2025", db)
            try Self.regenerate(db)
            let before = try Self.reports([(w.myCam, w.year2024), (w.anTruong, w.year2024), (w.district, w.year2024), (w.province, w.year2024)], db)
            #expect(before[0].contains("Ấp Mỹ Hòa"), "Mỹ Cẩm's 2024 report lists its hamlet:\n\(before[0])")

            let reform = try Self.day("01/07/2025")
            let decision = "Nghị quyết số 1687/NQ-UBTVQH15"
            let changes = UnitChanges()
            let successor = try changes.merge(
                [w.myCam, w.anTruong], into: .new(.commune, name: "Mỹ Cẩm", under: w.province), on: reform, decision: decision, by: .system, on: db.pool
            )
            try changes.move(w.huyenHoi, under: w.province, on: reform, decision: decision, by: .system, on: db.pool)
            try changes.dissolve(w.district, on: reform, handingOverTo: w.province, decision: decision, by: .system, on: db.pool)
            try Self.register(1, for: successor.id, in: w.campaign2025, on: "20/10/2025", db)

            #expect(successor.path == [w.province, successor.id], "the successor sits directly under the province")
            #expect(try UnitDirectory().find(w.hamlet, on: db.pool)?.path == [w.province, successor.id, w.hamlet], "the hamlet moved with it")
            #expect(try UnitDirectory().find(w.myCam, on: db.pool)?.successorID == successor.id)

            try Self.regenerate(db)
            let after = try Self.reports([(w.myCam, w.year2024), (w.anTruong, w.year2024), (w.district, w.year2024), (w.province, w.year2024)], db)
            for (old, new) in zip(before, after) {
                #expect(old == new, "a 2024 report changed after the 2025 reorganisation:\n\(old)\n=====\n\(new)")
            }

            let y2024 = try Self.registered(w.year2024, db)
            #expect(y2024[w.myCam] == 4 && y2024[w.anTruong] == 2 && y2024[w.huyenHoi] == 1, "\(y2024)")
            #expect(y2024[w.district] == 7 && y2024[w.province] == 7)
            #expect(y2024[successor.id] == nil, "the successor did not stand in 2024")

            let y2025 = try Self.registered(w.year2025, db)
            #expect(y2025[successor.id] == 4, "2 + 1 from the predecessors and 1 of its own, each once: \(y2025)")
            #expect(y2025[w.huyenHoi] == 1)
            #expect(y2025[w.myCam] == nil && y2025[w.anTruong] == nil && y2025[w.district] == nil, "ended units carry no 2025 figures: \(y2025)")
            #expect(y2025[w.province] == 5)

            // Each year, the province's total is the sum over the units directly under it that year.
            for (period, figures) in [(w.year2024, y2024), (w.year2025, y2025)] {
                let lastDay = period == w.year2024 ? "2024-12-31" : "2025-12-31"
                let children: [Int64] = try db.pool.query(
                    "SELECT danvan.unit_children_on($1, $2::date) AS id", w.province, lastDay
                ).map { try $0.decode("id") }
                #expect(figures[w.province] == children.reduce(0) { $0 + (figures[$1] ?? 0) }, "\(lastDay): \(children) in \(figures)")
            }

            // 2025's reports are the two-tier tree's; the ended communes have none.
            let province2025 = try Self.reports([(w.province, w.year2025)], db)[0]
            #expect(province2025.contains("Huyền Hội") && province2025.contains("Mỹ Cẩm") && !province2025.contains("Càng Long"), "\(province2025)")
            try Producer().enqueue(ReportJobs.Generate(unitID: w.anTruong, periodID: w.year2025), options: EnqueueOptions(queue: DanVanJobs.queue), on: db.pool)
            _ = try? Self.reports([], db)
            let discarded = try db.pool.query(
                "SELECT errors::text AS e FROM kheo.all_jobs WHERE kind = 'report.generate' AND state = 'discarded' ORDER BY id DESC LIMIT 1"
            ).single().decode("e", as: String.self)
            #expect(discarded.contains("its figures for the period are in the report of unit \(successor.id)"), "\(discarded)")

            let history = try UnitChange.history(of: w.myCam, on: db.pool)
            #expect(history.map(\.kind) == [.created, .merged])
            #expect(history.last?.successorID == successor.id && history.last?.decision == decision && history.last?.effectiveOn == reform)
        }
    }

    /// Each change is checked against the tree on its day, and a refused one changes nothing.
    @Test func changesAreCheckedAgainstTheTreeOnTheirDay() throws {
        try TestDatabase.with(schema: .domain) { db in
            let w = try Self.world(db)
            let units = UnitDirectory()
            let changes = UnitChanges()
            let reform = try Self.day("01/07/2025")
            #expect(throws: UnitError.parentNotAllowed(child: .district, parent: .province, on: try Self.day("01/08/2025"))) {
                try units.create(.district, named: "Huyện mới", under: w.province, from: try Self.day("01/08/2025"), on: db.pool)
            }
            #expect(throws: UnitError.parentNotAllowed(child: .commune, parent: .province, on: try Self.day("01/03/2025"))) {
                try units.create(.commune, named: "Xã sớm", under: w.province, from: try Self.day("01/03/2025"), on: db.pool)
            }
            let ward = try units.create(.commune, named: "Phường Trà Vinh", under: w.province, on: db.pool)
            #expect(ward.validFrom == reform, "a commune under a province stands from 01/07/2025 unless told otherwise")
            #expect(throws: UnitError.parentNotAllowed(child: .commune, parent: .district, on: try Self.day("01/08/2025"))) {
                try changes.move(ward.id, under: w.district, on: try Self.day("01/08/2025"), by: .system, on: db.pool)
            }
            #expect(throws: UnitChangeError.alreadyThere(w.huyenHoi, parent: w.district)) {
                try changes.move(w.huyenHoi, under: w.district, on: try Self.day("01/01/2025"), by: .system, on: db.pool)
            }
            #expect(throws: UnitChangeError.unitsStillUnder(w.district, ["Mỹ Cẩm", "An Trường", "Huyền Hội"])) {
                try changes.dissolve(w.district, on: reform, handingOverTo: w.province, by: .system, on: db.pool)
            }
            #expect(throws: UnitChangeError.kindsDiffer(w.hamlet, .hamlet, successor: .commune)) {
                try changes.merge([w.myCam, w.hamlet], into: .existing(w.huyenHoi), on: reform, by: .system, on: db.pool)
            }
            #expect(throws: UnitChangeError.underItself(w.myCam)) {
                try changes.move(w.myCam, under: w.hamlet, on: reform, by: .system, on: db.pool)
            }
            try changes.move(w.huyenHoi, under: w.province, on: reform, by: .system, on: db.pool)
            try changes.rename(w.huyenHoi, to: "Xã Huyền Hội", on: reform, by: .system, on: db.pool)
            #expect(throws: UnitChangeError.beforeLastChange(w.huyenHoi, last: reform), "history is added to, not rewritten") {
                try changes.rename(w.huyenHoi, to: "Xã Huyền Hội cũ", on: try Self.day("01/06/2025"), by: .system, on: db.pool)
            }
            #expect(try UnitDirectory().find(w.huyenHoi, on: db.pool)?.name == "Xã Huyền Hội", "the refused rename changed nothing")
            let merged = try changes.merge([w.myCam, w.anTruong], into: .existing(w.huyenHoi), on: try Self.day("01/09/2025"), by: .system, on: db.pool)
            #expect(merged.id == w.huyenHoi)
            #expect(throws: ModelError.unitNotStanding(unit: "Mỹ Cẩm", on: try Self.day("02/09/2025"))) {
                try Self.register(1, for: w.myCam, in: w.campaign2025, on: "02/09/2025", db)
            }
            #expect(throws: UnitError.notStanding(w.myCam, on: try Self.day("02/09/2025"))) {
                try changes.rename(w.myCam, to: "Mỹ Cẩm cũ", on: try Self.day("02/09/2025"), by: .system, on: db.pool)
            }
            // Names by day: the report of a day before the rename uses the old name.
            let names = try db.pool.query(
                "SELECT danvan.unit_name_on($1, '2025-06-30') AS before, danvan.unit_name_on($1, '2025-07-01') AS after", w.huyenHoi
            ).single()
            #expect(try names.decode("before", as: String.self) == "Huyền Hội")
            #expect(try names.decode("after", as: String.self) == "Xã Huyền Hội")
            // A commune's official cannot reorganise its own commune; the province's can.
            #expect(throws: AuthorityError.self) {
                try changes.rename(w.huyenHoi, to: "Xã Huyền Hội mới", on: try Self.day("01/01/2026"), by: .unit(w.huyenHoi, .admin), on: db.pool)
            }
            try changes.rename(w.huyenHoi, to: "Xã Huyền Hội mới", on: try Self.day("01/01/2026"), by: .unit(w.province, .admin), on: db.pool)
        }
    }
}

/// The same changes through `kheo units`, as an operator records a decision.
@Suite("kheo units")
struct UnitsCommandTests {
    @Test func anOperatorRecordsTheReorganisationAndReadsBothTrees() throws {
        try TestDatabase.with(schema: .binary) { db in
            let env = ["DATABASE_URL": db.url]
            let w = try UnitHistoryTests.world(db)
            let decision = "Nghị quyết số 1687/NQ-UBTVQH15"
            let merge = try KheoBinary.run(
                ["units", "merge", "\(w.myCam)", "\(w.anTruong)", "--name", "Xã Mỹ Cẩm", "--under", "\(w.province)", "--on", "01/07/2025", "--decision", decision],
                environment: env
            )
            #expect(merge.status == 0 && merge.output.contains("merged into \"Xã Mỹ Cẩm\""), "\(merge.output)")
            #expect(try KheoBinary.run(["units", "move", "\(w.huyenHoi)", "--under", "\(w.province)", "--on", "01/07/2025"], environment: env).status == 0)
            let early = try KheoBinary.run(["units", "dissolve", "\(w.district)", "--on", "01/06/2025"], environment: env)
            #expect(early.status != 0 && early.output.contains("units still stand under unit \(w.district)"), "\(early.output)")
            let dissolve = try KheoBinary.run(["units", "dissolve", "\(w.district)", "--on", "01/07/2025", "--handing-over-to", "\(w.province)"], environment: env)
            #expect(dissolve.status == 0, "\(dissolve.output)")

            let before = try KheoBinary.run(["units", "tree", "--on", "30/06/2025"], environment: env)
            #expect(before.output.contains("  Càng Long  [district") && before.output.contains("    Mỹ Cẩm  [commune") && before.output.contains("      Ấp Mỹ Hòa"), "\(before.output)")
            let after = try KheoBinary.run(["units", "tree", "\(w.province)", "--on", "01/07/2025"], environment: env)
            #expect(!after.output.contains("Càng Long") && after.output.contains("  Xã Mỹ Cẩm  [commune") && after.output.contains("    Ấp Mỹ Hòa"), "\(after.output)")
            let history = try KheoBinary.run(["units", "history", "\(w.myCam)"], environment: env)
            #expect(history.output.contains("01/07/2025  merged") && history.output.contains(decision), "\(history.output)")
            let badDay = try KheoBinary.run(["units", "rename", "\(w.huyenHoi)", "Xã Huyền Hội", "--on", "31/02/2025"], environment: env)
            #expect(badDay.status != 0 && badDay.output.contains("--on"), "a day that does not exist: \(badDay.output)")
            let missing = try KheoBinary.run(["units", "history", "987654"], environment: env)
            #expect(missing.status != 0 && missing.output.contains("unit 987654 does not exist"), "\(missing.output)")
        }
    }
}
