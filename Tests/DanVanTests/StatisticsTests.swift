import DanVan
import Dispatch
import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Synchronization
import Testing

@Suite("Statistics")
struct StatisticsTests {
    /// A district with communes, a campaign, and `counts` models per field registered
    /// on `day` across the communes; the first `recognised` are recognised and the
    /// first `commended` of those commended. Returns the district's id.
    func district(
        _ db: TestDatabase, named name: String, province: Int64, communes: Int, counts: [Model.Field: Int],
        recognised: Int, commended: Int, day: CivilDate, campaign given: Int64? = nil, existing: Int64? = nil
    ) throws -> Int64 {
        let units = UnitDirectory()
        let district = try existing.flatMap { try units.find($0, on: db.pool) } ?? units.create(.district, named: name, under: province, on: db.pool)
        let communeIDs = try (1...communes).map { number in
            try units.subtree(of: district.id, on: db.pool).first { $0.name == "Xã số \(number) \(name)" }?.id
                ?? units.create(.commune, named: "Xã số \(number) \(name)", under: district.id, on: db.pool).id
        }
        let campaign = try given ?? ModelRegistry().createCampaign(named: "Dân vận khéo \(name)", unit: district.id, from: day, to: day.adding(days: 30), on: db.pool)
        var fields: [String] = []
        for field in Model.Field.allCases { fields += Array(repeating: field.rawValue, count: counts[field] ?? 0) }
        _ = try db.pool.transaction { connection in
            try connection.query(
                """
                WITH new AS (
                    INSERT INTO danvan.models (campaign_id, unit_id, field, holder_kind, holder_name, title, registered_on)
                    SELECT $1, ($2::bigint[])[1 + (f.n - 1) % cardinality($2::bigint[])], f.field::danvan.model_field,
                           CASE WHEN f.n % 4 = 0 THEN 'individual' ELSE 'collective' END::danvan.holder_kind,
                           'Người thực hiện ' || f.n, 'Mô hình số ' || f.n, $3::date
                    FROM unnest($4::text[]) WITH ORDINALITY AS f(field, n)
                    RETURNING id
                ), numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM new)
                INSERT INTO danvan.model_transitions (model_id, from_state, to_state, happened_on)
                SELECT id, NULL::danvan.model_state, 'registered'::danvan.model_state, $3::date FROM numbered
                UNION ALL SELECT id, 'evaluated', 'recognised', $3::date + 20 FROM numbered WHERE n <= $5
                UNION ALL SELECT id, 'recognised', 'commended', $3::date + 25 FROM numbered WHERE n <= $6
                """,
                campaign, communeIDs, day.iso, fields, Int32(recognised), Int32(commended)
            )
        }
        return district.id
    }

    func period(_ db: TestDatabase, _ kind: String, _ name: String, _ first: String, _ last: String) throws -> Int64 {
        try db.pool.query(
            "INSERT INTO danvan.periods (kind, name, starts_on, ends_on) VALUES ($1::danvan.period_kind, $2, $3::date, $4::date) RETURNING id",
            kind, name, (try CivilDate(parsing: first)).iso, (try CivilDate(parsing: last)).iso
        ).single().decode("id")
    }

    func regenerate(_ db: TestDatabase) throws {
        try db.pool.transaction { connection in _ = try StatisticsBuilder.regenerate(in: connection) }
    }

    /// The seeds' figures come back out of the roll-up: Càng Long 2017, 890 models =
    /// 472 + 298 + 92 + 28, 74 commended; and a half-year with 891 registered and 514
    /// recognised, a rate of 57.7 %, published for the Ban Dân vận offices of a plains
    /// cluster (cụm đồng bằng) of districts: here a cluster of three districts, each
    /// with its Ban Dân vận, whose figures are the cluster's and no single district's.
    @Test func theRollUpReproducesTheSeedFigures() throws {
        try TestDatabase.with(schema: .domain) { db in
            let province = try UnitDirectory().create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            // Càng Long's 2017 campaign ran from registration on 15/10/2016 to the
            // review of 13/10/2017; the figures were published for it.
            let placeholder = try UnitDirectory().create(.district, named: "Càng Long", under: province.id, on: db.pool)
            let campaign2017 = try ModelRegistry().createCampaign(
                named: "Dân vận khéo năm 2017", unit: placeholder.id, from: try CivilDate(parsing: "15/10/2016"), to: try CivilDate(parsing: "13/10/2017"), on: db.pool
            )
            let cangLong = try district(
                db, named: "Càng Long", province: province.id, communes: 14,
                counts: [.economy: 472, .cultureSociety: 298, .defenceSecurity: 92, .politicalSystem: 28],
                recognised: 600, commended: 74, day: try CivilDate(parsing: "20/10/2016"), campaign: campaign2017, existing: placeholder.id
            )
            // Three districts of the plains cluster, each with its Ban Dân vận; the
            // cluster reports for them together from 2024.
            let shares: [(String, [Model.Field: Int], Int)] = [
                ("Huyện Đồng bằng Một", [.economy: 150, .cultureSociety: 100, .defenceSecurity: 40, .politicalSystem: 21], 180),
                ("Huyện Đồng bằng Hai", [.economy: 130, .cultureSociety: 110, .defenceSecurity: 40, .politicalSystem: 25], 170),
                ("Huyện Đồng bằng Ba", [.economy: 120, .cultureSociety: 90, .defenceSecurity: 40, .politicalSystem: 25], 164),
            ]
            let plainsDistricts = try shares.map { name, counts, recognised in
                try district(db, named: name, province: province.id, communes: 3, counts: counts, recognised: recognised, commended: 0,
                             day: try CivilDate(parsing: "15/03/2024"))
            }
            let plains = try UnitDirectory().create(.cluster, named: "Cụm đồng bằng", under: province.id, on: db.pool).id
            try db.pool.transaction { connection in
                for member in plainsDistricts {
                    let office = try UnitDirectory().create(.massMobilisationCommittee, named: "Ban Dân vận Huyện ủy", under: member, on: connection)
                    #expect(office.kind.vietnamese == "Ban Dân vận")
                    try Clusters().add(member, to: plains, from: try CivilDate(parsing: "01/01/2024"), by: .system, in: connection)
                }
            }
            let year2017 = try Periods().create(
                .year, named: "Năm 2017", from: try CivilDate(parsing: "15/10/2016"), to: try CivilDate(parsing: "13/10/2017"), campaign: campaign2017, on: db.pool
            ).id
            let firstHalf2024 = try period(db, "six_month", "6 tháng đầu năm 2024", "01/01/2024", "30/06/2024")
            try regenerate(db)

            let cangLongFigures = try StatisticsFigures.read(unit: cangLong, period: year2017, on: db.pool)
            let total = try #require(cangLongFigures.first { $0.field == nil })
            #expect(total.modelsRegistered == 890 && total.modelsCommended == 74)
            #expect(cangLongFigures.first { $0.field == .economy }?.modelsRegistered == 472)
            #expect(cangLongFigures.first { $0.field == .cultureSociety }?.modelsRegistered == 298)
            #expect(cangLongFigures.first { $0.field == .defenceSecurity }?.modelsRegistered == 92)
            #expect(cangLongFigures.first { $0.field == .politicalSystem }?.modelsRegistered == 28)
            #expect(total.collective + total.individual == 890)

            let plainsTotal = try #require(try StatisticsFigures.read(unit: plains, period: firstHalf2024, on: db.pool).first { $0.field == nil })
            #expect(plainsTotal.modelsRegistered == 891 && plainsTotal.modelsRecognised == 514)
            #expect(plainsTotal.recognitionRate == 57.7)
            #expect(plainsTotal.modelsRegistered == plainsTotal.collective + plainsTotal.individual)
            let memberTotals = try plainsDistricts.map { member in
                try #require(try StatisticsFigures.read(unit: member, period: firstHalf2024, on: db.pool).first { $0.field == nil }).modelsRegistered
            }
            #expect(memberTotals == [311, 305, 275], "no one district holds the cluster's figures; together they do")
            let provinceHalf = try #require(try StatisticsFigures.read(unit: province.id, period: firstHalf2024, on: db.pool).first { $0.field == nil })
            #expect(provinceHalf.modelsRegistered == 891, "the cluster's figures are its members' and do not count again for the province")
            #expect(try StatisticsFigures.read(unit: plains, period: year2017, on: db.pool).isEmpty, "the cluster reports from 2024 only")

            let provinceTotal = try #require(try StatisticsFigures.read(unit: province.id, period: year2017, on: db.pool).first { $0.field == nil })
            #expect(provinceTotal.modelsRegistered == 890, "the province rolls up its districts for 2017")
            #expect(try StatisticsFigures.read(unit: cangLong, period: firstHalf2024, on: db.pool).isEmpty, "nothing of Càng Long in 2024")
        }
    }

    /// Activities, deadlines and inspection visits of the 2018 campaign held in late
    /// 2017 count in "năm 2018", as its models do; those of no campaign count by their
    /// day; a campaign that does not cover the unit is refused.
    @Test func aCampaignsActivitiesDeadlinesAndVisitsCountInItsYear() throws {
        try TestDatabase.with(schema: .domain) { db in
            let day = { (text: String) in try CivilDate(parsing: text) }
            let units = UnitDirectory()
            let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let cangLong = try units.create(.district, named: "Huyện Càng Long", under: province.id, on: db.pool)
            let other = try units.create(.district, named: "Huyện Cầu Kè", under: province.id, on: db.pool)
            let myCam = try units.create(.commune, named: "Xã Mỹ Cẩm", under: cangLong.id, on: db.pool)
            let registry = ModelRegistry()
            let c2017 = try registry.createCampaign(named: "Năm 2017", unit: cangLong.id, from: try day("15/10/2016"), to: try day("13/10/2017"), on: db.pool)
            let c2018 = try registry.createCampaign(named: "Năm 2018", unit: cangLong.id, from: try day("15/10/2017"), to: try day("12/10/2018"), on: db.pool)
            let elsewhere = try registry.createCampaign(named: "Cầu Kè 2018", unit: other.id, from: try day("15/10/2017"), to: try day("12/10/2018"), on: db.pool)
            let year2017 = try Periods().create(.year, named: "Năm 2017", from: try day("15/10/2016"), to: try day("13/10/2017"), campaign: c2017, on: db.pool)
            let year2018 = try Periods().create(.year, named: "Năm 2018", from: try day("01/01/2018"), to: try day("31/12/2018"), campaign: c2018, on: db.pool)
            let calendar2017 = try Periods().create(.year, named: "Năm 2017 (dương lịch)", from: try day("01/01/2017"), to: try day("31/12/2017"), on: db.pool)

            _ = try ActivityLog().record(.conference, by: myCam.id, title: "Hội nghị triển khai 2018", on: try day("20/10/2017"), attendees: 50, campaign: c2018, on: db.pool)
            _ = try ActivityLog().record(.conference, by: myCam.id, title: "Hội nghị khác", on: try day("20/10/2017"), attendees: 30, on: db.pool)
            #expect(throws: ModelError.campaignNotFound(elsewhere)) {
                try ActivityLog().record(.conference, by: myCam.id, title: "Sai", on: try day("20/10/2017"), campaign: elsewhere, on: db.pool)
            }
            let deadline = try DeadlineBook().create(
                for: myCam.id, kind: .registrationClosing, title: "Đăng ký mô hình 2018", due: try day("31/12/2017"), by: .unit(cangLong.id, .editor),
                campaign: c2018, on: db.pool
            )
            _ = try DeadlineBook().meet(deadline.id, on: try day("20/12/2017"), by: .unit(myCam.id, .editor), on: db.pool)
            _ = try InspectionPlans().submit(InspectionPlan(
                issuingUnit: cangLong.id, delegations: [.init(id: 1, name: "Đoàn 1", leader: "Lê Văn Bình", members: ["Lê Văn Bình"])],
                targets: [myCam.id], firstDay: try day("23/10/2017"), lastDay: try day("27/10/2017"), campaignID: c2018
            ), title: "Kế hoạch kiểm tra đầu năm 2018", on: db.pool)
            try drainDomainQueue(db, egress: .publicOnly)
            try regenerate(db)

            func total(_ period: Period) throws -> StatisticsFigures? {
                try StatisticsFigures.read(unit: myCam.id, period: period.id, on: db.pool).first { $0.field == nil }
            }
            let in2018 = try #require(try total(year2018))
            #expect(in2018.conferences == 1 && in2018.conferenceAttendees == 50, "the 2018 campaign's conference, not the other")
            #expect(in2018.deadlinesMet == 1 && in2018.inspectionsPlanned == 1)
            let calendar = try #require(try total(calendar2017))
            #expect(calendar.conferences == 2 && calendar.deadlinesMet == 1 && calendar.inspectionsPlanned == 1, "the calendar year counts by day")
            #expect(try total(year2017) == nil, "nothing of the 2018 campaign in 2017's")
        }
    }

    /// A night whose inputs have not changed keeps the current snapshot (its as-of
    /// moves); any insert, update or delete in a table the roll-up reads builds anew.
    @Test func aNightWithNothingNewKeepsTheSnapshot() throws {
        try TestDatabase.with(schema: .domain) { db in
            let day = { (text: String) in try CivilDate(parsing: text) }
            let province = try UnitDirectory().create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            _ = try Periods().create(.year, named: "Năm 2025", from: try day("01/01/2025"), to: try day("31/12/2025"), on: db.pool)
            func regenerate() throws -> Int64 { try db.pool.transaction { connection in try StatisticsBuilder.regenerate(in: connection).snapshot } }
            let first = try regenerate()
            #expect(try regenerate() == first, "nothing changed")
            let activity = try ActivityLog().record(.conference, by: province.id, title: "Hội nghị", on: try day("10/03/2025"), attendees: 40, on: db.pool)
            let second = try regenerate()
            #expect(second != first, "an insert builds anew")
            try db.pool.query("UPDATE danvan.activities SET attendees = 41 WHERE id = $1", activity)
            let third = try regenerate()
            #expect(third != second, "an update builds anew")
            try db.pool.query("DELETE FROM danvan.activities WHERE id = $1", activity)
            let fourth = try regenerate()
            #expect(fourth != third, "a delete builds anew")
            _ = try UnitDirectory().create(.district, named: "Càng Long", under: province.id, on: db.pool)
            #expect(try regenerate() != fourth, "a change to the tree builds anew")
        }
    }

    /// A night writes the figures that changed and deletes those no record counts for
    /// any more, and what it leaves is exactly what a rebuild from nothing writes. A
    /// change to the tree or the periods rebuilds.
    @Test func aNightWritesOnlyTheFiguresThatChanged() throws {
        try TestDatabase.with(schema: .domain) { db in
            let day = { (text: String) in try CivilDate(parsing: text) }
            let province = try UnitDirectory().create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let districtID = try district(
                db, named: "Càng Long", province: province.id, communes: 2, counts: [.economy: 3, .cultureSociety: 2],
                recognised: 1, commended: 0, day: try day("10/03/2025")
            )
            let newcomer = try UnitDirectory().create(.commune, named: "Xã mới", under: districtID, on: db.pool).id
            _ = try period(db, "year", "Năm 2025", "01/01/2025", "31/12/2025")
            _ = try period(db, "six_month", "6 tháng đầu năm 2025", "01/01/2025", "30/06/2025")
            func regenerate() throws -> StatisticsBuilder.Outcome {
                try db.pool.transaction { connection in try StatisticsBuilder.regenerate(in: connection) }
            }
            func figures() throws -> Int64 { try db.pool.query("SELECT count(*) FROM danvan.statistics").single().decode(0) }
            let first = try regenerate()
            let rows = try figures()
            #expect(first.rebuilt && first.written == rows && first.removed == 0, "the first night writes every figure: \(first)")

            // An activity has no field: the commune's own count in both periods that
            // hold its day, and the "all" figures of the commune, district and province.
            let commune = try UnitDirectory().subtree(of: districtID, on: db.pool).first { $0.kind == .commune && $0.id != newcomer }!.id
            try ActivityLog().record(.conference, by: commune, title: "Hội nghị", on: try day("15/04/2025"), attendees: 40, on: db.pool)
            let second = try regenerate()
            #expect(!second.rebuilt && second.changed == 2 && second.written == 6 && second.removed == 0, "\(second)")

            // A commune's first record adds its two figures and changes the four above
            // it; deleting it again deletes those two and changes the four back.
            let activity = try ActivityLog().record(.training, by: newcomer, title: "Tập huấn", on: try day("20/04/2025"), attendees: 20, on: db.pool)
            let third = try regenerate()
            #expect(third.changed == 2 && third.written == 6 && third.removed == 0, "\(third)")
            #expect(try figures() == rows + 2)
            try db.pool.query("DELETE FROM danvan.activities WHERE id = $1", activity)
            let fourth = try regenerate()
            #expect(fourth.changed == 2 && fourth.written == 4 && fourth.removed == 2, "\(fourth)")
            #expect(try figures() == rows)
            // A model evaluated and recognised: its field's figures and the "all" ones.
            let model: Int64 = try db.pool.query(
                """
                SELECT id FROM danvan.models AS m WHERE field = 'economy'
                AND NOT EXISTS (SELECT 1 FROM danvan.model_transitions AS t WHERE t.model_id = m.id AND t.to_state = 'recognised')
                ORDER BY id LIMIT 1
                """
            ).single().decode("id")
            for (state, date) in [(Model.State.implementing, "01/05/2025"), (.evaluated, "02/05/2025"), (.recognised, "03/05/2025")] {
                _ = try ModelRegistry().transition(model, to: state, on: try day(date), by: .system, pool: db.pool)
            }
            let fifth = try regenerate()
            #expect(fifth.changed == 2 && fifth.written == 12 && fifth.removed == 0, "3 units × 2 periods × (economy, all): \(fifth)")
            #expect(try regenerate().unchanged)

            let table = "SELECT coalesce(string_agg(s::text, E'\\n' ORDER BY unit_id, period_id, field), '') AS rows FROM danvan.statistics AS s"
            let inPlace: String = try db.pool.query(table).single().decode("rows")
            try db.pool.transaction { connection in
                try connection.query("DELETE FROM danvan.current_statistics")
                try connection.query("DELETE FROM danvan.statistics_snapshots")
            }
            let rebuilt = try regenerate()
            #expect(rebuilt.rebuilt && rebuilt.written == rows)
            #expect(try db.pool.query(table).single().decode("rows", as: String.self) == inPlace, "the same figures as a rebuild from nothing")

            // A new period (or a change to the tree) rebuilds.
            _ = try period(db, "six_month", "6 tháng cuối năm 2025", "01/07/2025", "31/12/2025")
            #expect(try regenerate().rebuilt)
        }
    }

    /// Forty nights of random work (models registered and recognised, activities held
    /// and deleted, deadlines met, across communes, fields and periods): after each,
    /// the figures kept up to date in place are those a rebuild from nothing writes.
    @Test func figuresKeptInPlaceEqualARebuildNightAfterNight() throws {
        try TestDatabase.with(schema: .domain) { db in
            let province = try UnitDirectory().create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let districtID = try district(
                db, named: "Càng Long", province: province.id, communes: 3, counts: [.economy: 2], recognised: 1, commended: 0,
                day: try CivilDate(parsing: "10/01/2025")
            )
            let units = try UnitDirectory().subtree(of: province.id, on: db.pool).map(\.id)
            let campaign: Int64 = try db.pool.query("SELECT id FROM danvan.campaigns LIMIT 1").single().decode("id")
            _ = try period(db, "year", "Năm 2025", "01/01/2025", "31/12/2025")
            _ = try period(db, "six_month", "6 tháng đầu năm 2025", "01/01/2025", "30/06/2025")
            _ = try period(db, "six_month", "6 tháng cuối năm 2025", "01/07/2025", "31/12/2025")
            let table = "SELECT coalesce(string_agg(s::text, E'\\n' ORDER BY unit_id, period_id, field), '') AS rows FROM danvan.statistics AS s"
            var random = SeededGenerator(state: 2025)
            var changedNights = 0
            for night in 1...40 {
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    let unit = units.randomElement(using: &random)!
                    let day = try CivilDate(year: 2025, month: Int.random(in: 1...12, using: &random), day: Int.random(in: 1...28, using: &random))
                    switch Int.random(in: 0..<5, using: &random) {
                    case 0:
                        try ActivityLog().record(
                            .conference, by: unit, title: "Hội nghị \(night)", on: day, attendees: Int.random(in: 0...90, using: &random), on: db.pool
                        )
                    case 1:
                        try db.pool.query("DELETE FROM danvan.activities WHERE id = (SELECT id FROM danvan.activities ORDER BY random() LIMIT 1)")
                    case 2:
                        try db.pool.query(
                            """
                            WITH m AS (
                                INSERT INTO danvan.models (campaign_id, unit_id, field, holder_kind, holder_name, title, registered_on)
                                VALUES ($1, $2, $3::danvan.model_field, 'collective', 'Chi hội', 'Mô hình đêm ' || $4, $5::date) RETURNING id
                            )
                            INSERT INTO danvan.model_transitions (model_id, from_state, to_state, happened_on)
                            SELECT id, NULL, 'registered', $5::date FROM m
                            """,
                            campaign, unit, Model.Field.allCases.randomElement(using: &random)!.rawValue, "\(night)", day.iso
                        )
                    case 3:
                        try db.pool.query(
                            """
                            INSERT INTO danvan.model_transitions (model_id, from_state, to_state, happened_on)
                            SELECT id, 'evaluated', 'recognised', registered_on + 30 FROM danvan.models AS m
                            WHERE NOT EXISTS (SELECT 1 FROM danvan.model_transitions AS t WHERE t.model_id = m.id AND t.to_state = 'recognised')
                            ORDER BY random() LIMIT 1
                            """
                        )
                    default:
                        let deadline = try DeadlineBook().create(
                            for: unit, kind: .sixMonthReview, title: "Báo cáo \(night)", due: day, by: .system, on: db.pool
                        )
                        if Bool.random(using: &random) {
                            _ = try DeadlineBook().meet(deadline.id, on: day.adding(days: Int.random(in: -3...3, using: &random)), by: .system, on: db.pool)
                        }
                    }
                }
                let outcome = try db.pool.transaction { connection in try StatisticsBuilder.regenerate(in: connection) }
                if night > 1, !outcome.unchanged { changedNights += 1; #expect(!outcome.rebuilt, "night \(night) rebuilt") }
                let inPlace: String = try db.pool.query(table).single().decode("rows")
                // The same figures rebuilt from nothing, in a transaction rolled back.
                let rebuilt: String = try db.pool.withConnection { connection in
                    try connection.query("BEGIN")
                    defer { _ = try? connection.query("ROLLBACK") }
                    try connection.query("DELETE FROM danvan.current_statistics")
                    #expect(try StatisticsBuilder.regenerate(in: connection).rebuilt)
                    return try connection.query(table).single().decode("rows")
                }
                #expect(inPlace == rebuilt, "night \(night): the figures kept in place differ from a rebuild")
                if inPlace != rebuilt { break }
            }
            #expect(changedNights > 30)
            _ = districtID
        }
    }

    /// A database whose figures were built as whole snapshots (before danvan migration 23)
    /// keeps publishing the current one's after the migration, drops the older one's,
    /// and rebuilds at the next regeneration.
    @Test func figuresBuiltAsWholeSnapshotsSurviveTheMigration() throws {
        try TestDatabase.with(schema: .domain, migrated: false) { db in
            let connection = try db.connect()
            try Migrator(migrations: DanVanSchema.all.filter { $0.line != "danvan" || $0.version < 23 }).migrate(on: connection)
            let province = try UnitDirectory().create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let year = try period(db, "year", "Năm 2025", "01/01/2025", "31/12/2025")
            try ActivityLog().record(.conference, by: province.id, title: "Hội nghị", on: try CivilDate(parsing: "10/03/2025"), attendees: 40, on: db.pool)
            try connection.query(
                """
                WITH old AS (INSERT INTO danvan.statistics_snapshots (as_of, inputs) VALUES (now(), 'old') RETURNING id),
                     new AS (INSERT INTO danvan.statistics_snapshots (as_of, inputs) VALUES (now(), 'new') RETURNING id),
                     current AS (INSERT INTO danvan.current_statistics (snapshot_id) SELECT id FROM new)
                INSERT INTO danvan.statistics (snapshot_id, unit_id, period_id, field, conferences, conference_attendees)
                SELECT id, $1, $2, 'all', 1, 35 FROM old UNION ALL SELECT id, $1, $2, 'all', 1, 40 FROM new
                """,
                province.id, year
            )
            try Migrator(migrations: DanVanSchema.all).migrate(on: connection)
            let kept = try #require(try StatisticsFigures.read(unit: province.id, period: year, on: db.pool).first)
            #expect(kept.conferenceAttendees == 40, "the current snapshot's figures, not the older one's")
            #expect(try db.pool.query("SELECT count(*) FROM danvan.statistics").single().decode(0, as: Int64.self) == 1)
            let next = try db.pool.transaction { connection in try StatisticsBuilder.regenerate(in: connection) }
            #expect(next.rebuilt && next.written == 1)
            #expect(try StatisticsFigures.read(unit: province.id, period: year, on: db.pool).first?.snapshotID == next.snapshot)
        }
    }

    /// Two regenerations at once (a nightly run and one asked for by hand): the second
    /// waits for the first, then finds nothing new to build.
    @Test func aSecondRegenerationWaitsAndFindsNothingToDo() throws {
        try TestDatabase.with(schema: .domain, pool: .init(maximumConnections: 4)) { db in
            let province = try UnitDirectory().create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            _ = try period(db, "year", "Năm 2025", "01/01/2025", "31/12/2025")
            try ActivityLog().record(.conference, by: province.id, title: "Hội nghị", on: try CivilDate(parsing: "10/03/2025"), attendees: 40, on: db.pool)
            let second = Mutex<(outcome: StatisticsBuilder.Outcome?, error: String?)>((nil, nil))
            let done = DispatchSemaphore(value: 0)
            let first = try db.pool.transaction { connection in
                let outcome = try StatisticsBuilder.regenerate(in: connection)
                Thread.detachNewThread {
                    do {
                        let outcome = try db.pool.transaction { connection in try StatisticsBuilder.regenerate(in: connection) }
                        second.withLock { $0.outcome = outcome }
                    } catch {
                        second.withLock { $0.error = "\(error)" }
                    }
                    done.signal()
                }
                // Until the second one is seen waiting for the lock this one holds.
                let deadline = ContinuousClock.now + .seconds(30)
                while try db.pool.query(
                    """
                    SELECT count(*) AS waiting FROM pg_stat_activity
                    WHERE wait_event_type = 'Lock' AND query LIKE 'LOCK TABLE danvan.current_statistics%'
                    """
                ).single().decode("waiting", as: Int64.self) == 0 {
                    #expect(second.withLock { $0.outcome == nil && $0.error == nil }, "the second regeneration ended while the first held the lock")
                    try #require(ContinuousClock.now < deadline, "the second regeneration never waited for the first")
                    // Polls pg_locks: only the server knows the second one is waiting.
                    Thread.sleep(forTimeInterval: 0.01)
                }
                return outcome
            }
            done.wait()
            #expect(second.withLock { $0.error } == nil)
            let outcome = try #require(second.withLock { $0.outcome })
            #expect(!first.unchanged && first.rebuilt)
            #expect(outcome.unchanged && outcome.snapshot == first.snapshot, "\(outcome)")
        }
    }

    /// Latest first by the day, not by the dd/mm/yyyy text: 15/10/2024 comes before
    /// 30/06/2024's period's start of 01/01/2024, and both before 01/07/2023.
    @Test func periodsAreListedLatestFirstByTheirDays() throws {
        try TestDatabase.with(schema: .domain) { db in
            let day = { (text: String) in try CivilDate(parsing: text) }
            for (name, first, last) in [("B", "01/07/2023", "31/12/2023"), ("A", "15/10/2024", "13/10/2025"), ("C", "01/01/2024", "30/06/2024")] {
                _ = try Periods().create(.sixMonth, named: name, from: try day(first), to: try day(last), on: db.pool)
            }
            #expect(try Periods().list(on: db.pool).map(\.name) == ["A", "C", "B"])
        }
    }

    /// Càng Long's calendar: the 2017 review on 13/10/2017, registration for 2018 from
    /// 15/10/2017. A model registered on 20/10/2017 for the 2018 campaign counts in the
    /// 2018 campaign year, not in 2017's; the calendar year 2017 still holds it by its
    /// day; and the stage 2016–2018 holds every year's models.
    @Test func aCampaignYearRunsFromTraditionDayToTraditionDay() throws {
        try TestDatabase.with(schema: .domain) { db in
            let units = UnitDirectory()
            let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let cangLong = try units.create(.district, named: "Huyện Càng Long", under: province.id, on: db.pool)
            let myCam = try units.create(.commune, named: "Xã Mỹ Cẩm", under: cangLong.id, on: db.pool)
            let registry = ModelRegistry()
            let day = { (text: String) in try CivilDate(parsing: text) }
            let stage = try registry.createCampaign(named: "Giai đoạn 2016–2018", unit: cangLong.id, from: try day("15/10/2015"), to: try day("12/10/2018"), on: db.pool)
            var campaigns: [Int: Int64] = [:]
            var periods: [Int: Int64] = [:]
            for (year, first, last) in [(2017, "15/10/2016", "13/10/2017"), (2018, "15/10/2017", "12/10/2018")] {
                campaigns[year] = try registry.createCampaign(
                    named: "Dân vận khéo năm \(year)", unit: cangLong.id, from: try day(first), to: try day(last), stage: stage, on: db.pool
                )
                try registry.setWindow(
                    campaign: campaigns[year]!, unitKind: .commune, opens: try day(first), closes: try day("31/12/\(year - 1)"),
                    collectiveQuota: 10, individualQuota: 15, on: db.pool
                )
            }
            // The 2017 campaign's year as its span; 2018's as the calendar year offices
            // call "năm 2018", which the campaign's models registered in late 2017
            // belong to all the same.
            periods[2017] = try Periods().create(.year, named: "Năm 2017", from: try day("15/10/2016"), to: try day("13/10/2017"), campaign: campaigns[2017], on: db.pool).id
            periods[2018] = try Periods().create(.year, named: "Năm 2018", from: try day("01/01/2018"), to: try day("31/12/2018"), campaign: campaigns[2018], on: db.pool).id
            let stagePeriod = try Periods().create(.stage, named: "Giai đoạn 2016–2018", from: try day("15/10/2015"), to: try day("12/10/2018"), campaign: stage, on: db.pool).id
            let calendar2017 = try Periods().create(.year, named: "Năm 2017 (dương lịch)", from: try day("01/01/2017"), to: try day("31/12/2017"), on: db.pool).id
            let sixMonths2018 = try Periods().create(
                .sixMonth, named: "6 tháng đầu năm 2018", from: try day("01/01/2018"), to: try day("30/06/2018"), campaign: campaigns[2018], on: db.pool
            ).id
            for (title, campaign, registered) in [("Quỹ khuyến học", 2017, "20/10/2016"), ("Tổ an ninh tự quản", 2017, "02/11/2016"), ("Nuôi bò vỗ béo", 2018, "20/10/2017")] {
                _ = try registry.register(ModelRegistration(
                    campaignID: campaigns[campaign]!, unitID: myCam.id, field: .economy, holder: .collective, holderName: "Hội Nông dân xã Mỹ Cẩm",
                    title: title, day: try day(registered)
                ), by: .system, on: db.pool)
            }
            try regenerate(db)
            func registered(_ period: Int64) throws -> Int {
                try StatisticsFigures.read(unit: cangLong.id, period: period, on: db.pool).first { $0.field == nil }?.modelsRegistered ?? 0
            }
            #expect(try registered(periods[2017]!) == 2, "the 2017 campaign's two models, registered in 2016")
            #expect(try registered(periods[2018]!) == 1, "the model of 20/10/2017 is the 2018 campaign's")
            #expect(try registered(sixMonths2018) == 1, "and counts in that campaign's six-month review")
            #expect(try registered(calendar2017) == 1, "the calendar year 2017 counts by registration day")
            #expect(try registered(stagePeriod) == 3, "the stage holds its campaigns' models")
            #expect(throws: PeriodError.campaignNotFound(987_654)) {
                try Periods().create(.year, named: "Năm ma", from: try day("01/01/2019"), to: try day("31/12/2019"), campaign: 987_654, on: db.pool)
            }
        }
    }

    /// Regenerations while a reader reads: every read comes from one snapshot, its
    /// fields adding up to its total, and the total is one that a snapshot really had.
    @Test func readersNeverSeeAHalfBuiltSnapshot() throws {
        try TestDatabase.with(schema: .domain, pool: .init(maximumConnections: 6)) { db in
            let province = try UnitDirectory().create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let districtID = try district(
                db, named: "Càng Long", province: province.id, communes: 5,
                counts: [.economy: 100, .cultureSociety: 50], recognised: 10, commended: 1, day: try CivilDate(parsing: "01/03/2024")
            )
            let year = try period(db, "year", "Năm 2024", "01/01/2024", "31/12/2024")
            let commune = try UnitDirectory().subtree(of: districtID, on: db.pool)[1].id
            let campaign: Int64 = try db.pool.query("SELECT id FROM danvan.campaigns LIMIT 1").single().decode("id")
            try regenerate(db)
            let stop = Atomic<Bool>(false)
            let problems = Mutex<[String]>([])
            let seenTotals = Mutex<Set<Int>>([])
            let reader = DispatchSemaphore(value: 0)
            // A thread of its own: on a loaded machine Dispatch's global queue may not
            // start the reader before the regenerations are over.
            Thread.detachNewThread {
                defer { reader.signal() }
                while !stop.load(ordering: .relaxed) {
                    do {
                        let figures = try StatisticsFigures.read(unit: districtID, period: year, on: db.pool)
                        guard let total = figures.first(where: { $0.field == nil }) else { continue }
                        let fields = figures.filter { $0.field != nil }.reduce(0) { $0 + $1.modelsRegistered }
                        if Set(figures.map(\.snapshotID)).count != 1 || fields != total.modelsRegistered {
                            problems.withLock { $0.append("mixed read: \(figures)") }
                        }
                        seenTotals.withLock { _ = $0.insert(total.modelsRegistered) }
                    } catch {
                        problems.withLock { $0.append("\(error)") }
                    }
                }
            }
            // At least 15 rounds, and more (up to 60) until the reader has seen two totals.
            var rounds = 0
            while rounds < 15 || (seenTotals.withLock { $0.count } < 2 && rounds < 60) {
                rounds += 1
                let round = rounds
                try db.pool.query(
                    """
                    INSERT INTO danvan.models (campaign_id, unit_id, field, holder_kind, holder_name, title, registered_on)
                    SELECT $1, $2, 'defence_security', 'collective', 'Tổ tự quản', 'Mô hình vòng ' || $3 || ' số ' || g, '2024-05-01'
                    FROM generate_series(1, 10) AS g
                    """,
                    campaign, commune, Int32(round)
                )
                try regenerate(db)
            }
            stop.store(true, ordering: .relaxed)
            reader.wait()
            #expect(problems.withLock { $0 }.isEmpty, "\(problems.withLock { $0 }.prefix(3))")
            let possible = Set((0...rounds).map { 150 + 10 * $0 })
            #expect(seenTotals.withLock { $0 }.isSubset(of: possible), "\(seenTotals.withLock { $0 })")
            #expect(seenTotals.withLock { $0 }.count > 1, "the reader saw regenerations happen")
            #expect(try db.pool.query("SELECT count(*) FROM danvan.statistics_snapshots").single().decode(0, as: Int64.self) == 1, "old snapshots are dropped")
        }
    }
    /// A district's activities add up as its report would quote them: 50 conferences
    /// with 4,819 attendees, 8 trainings with 905 participants, 129 documents issued.
    @Test func activitiesAddUpToTheSeedFigures() throws {
        try TestDatabase.with(schema: .domain) { db in
            let units = UnitDirectory()
            let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let district = try units.create(.district, named: "Mỹ Thanh", under: province.id, on: db.pool)
            let communes = try (1...3).map { try units.create(.commune, named: "Xã \($0)", under: district.id, on: db.pool).id }
            let log = ActivityLog()
            let day = try CivilDate(parsing: "10/05/2022")
            try log.record(.conference, by: communes[0], title: "Hội nghị quán triệt", on: day, sessions: 30, attendees: 2819, on: db.pool)
            try log.record(.conference, by: communes[1], title: "Hội nghị sơ kết", on: day, sessions: 20, attendees: 2000, on: db.pool)
            try log.record(.training, by: district.id, title: "Tập huấn kỹ năng dân vận", on: day, sessions: 8, attendees: 905, on: db.pool)
            for index in 0..<129 {
                try log.record(.document, by: communes[index % 3], title: "Văn bản số \(index + 1)", on: day, on: db.pool)
            }
            #expect(throws: ActivityLog.ActivityError.unitNotFound(424_242)) {
                try log.record(.conference, by: 424_242, title: "Không có", on: day, on: db.pool)
            }
            #expect(throws: ActivityLog.ActivityError.self) {
                try log.record(.training, by: district.id, title: "Âm", on: day, attendees: -1, on: db.pool)
            }
            let year = try period(db, "year", "Năm 2022", "01/01/2022", "31/12/2022")
            try regenerate(db)
            let total = try #require(try StatisticsFigures.read(unit: district.id, period: year, on: db.pool).first { $0.field == nil })
            #expect(total.conferences == 50 && total.conferenceAttendees == 4819)
            #expect(total.trainings == 8 && total.trainingParticipants == 905)
            #expect(total.documentsIssued == 129)
            #expect(total.modelsRegistered == 0 && total.inspectionsPlanned == 0)
        }
    }

    /// A deadline met after its due day is recorded as met late and counted apart from
    /// those met on time, for its unit and every unit above.
    @Test func aLateMeetingIsCountedApartFromOnesOnTime() throws {
        try TestDatabase.with(schema: .domain) { db in
            let units = UnitDirectory()
            let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let commune = try units.create(.commune, named: "Mỹ Cẩm", under: try units.create(.district, named: "Càng Long", under: province.id, on: db.pool).id, on: db.pool)
            let year = try period(db, "year", "năm 2025", "01/01/2025", "31/12/2025")
            let book = DeadlineBook()
            let due = try CivilDate(parsing: "10/06/2025")
            let issuer = Principal.unit(province.id, .editor), assignee = Principal.unit(commune.id, .editor)
            let onTime = try book.create(for: commune.id, kind: .sixMonthReview, title: "Đúng hạn", due: due, by: issuer, on: db.pool)
            let late = try book.create(for: commune.id, kind: .sixMonthReview, title: "Trễ hạn", due: due, by: issuer, on: db.pool)
            let onTheDay = try book.create(for: commune.id, kind: .other, title: "Đúng ngày", due: due, by: issuer, on: db.pool)
            #expect(try book.meet(onTime.id, on: try CivilDate(parsing: "05/06/2025"), by: assignee, on: db.pool).metLate == false)
            let metLate = try book.meet(late.id, on: try CivilDate(parsing: "20/06/2025"), by: assignee, on: db.pool)
            #expect(metLate.metLate && metLate.status == .met && metLate.metOn?.description == "20/06/2025")
            #expect(try book.meet(onTheDay.id, on: due, by: assignee, on: db.pool).metLate == false, "on the due day is on time")
            try regenerate(db)
            for unit in [commune.id, province.id] {
                let all = try #require(try StatisticsFigures.read(unit: unit, period: year, on: db.pool).first { $0.field == nil })
                #expect(all.deadlinesMet == 2 && all.deadlinesMetLate == 1 && all.deadlinesOverdue == 0, "unit \(unit): \(all)")
            }
        }
    }
}
