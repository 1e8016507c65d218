import DanVan
import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Testing

@Suite("Inspection plans")
struct InspectionPlanTests {
    func count(_ db: TestDatabase, _ sql: String, _ parameters: any PostgresEncodable...) throws -> Int {
        Int(try db.pool.query(sql, parameters).single().decode(0, as: Int64.self))
    }

    func drain(_ db: TestDatabase) throws {
        var registry = JobRegistry()
        DanVanJobs.register(in: &registry)
        let node = try WorkerNode(
            database: db.configuration, registry: registry,
            configuration: WorkerConfiguration(queues: DanVanJobs.queues(concurrency: 2), stopWhenEmpty: true)
        )
        try node.start()
        node.wait()
    }

    @Test func aPlanIsScheduledWholeOrRejectedWhole() throws {
        try TestDatabase.with(schema: .domain) { db in
            let units = UnitDirectory()
            let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let district = try units.create(.district, named: "Càng Long", under: province.id, on: db.pool)
            let communes = try (1...5).map { try units.create(.commune, named: "Xã \($0)", under: district.id, on: db.pool).id }
            let leader = "Nguyễn Thị Hồng"
            let delegation = InspectionPlan.Delegation(id: 1, name: "Đoàn kiểm tra số 1", leader: leader, members: [leader, "Trần Văn Nam"])
            let plan = InspectionPlan(
                issuingUnit: district.id, delegations: [delegation], targets: communes,
                firstDay: try CivilDate(parsing: "05/08/2021"), lastDay: try CivilDate(parsing: "13/08/2021"),
                slots: [.morning, .afternoon], visitsPerDelegationPerDay: 1
            )
            let submitted = try InspectionPlans().submit(plan, title: "Kiểm tra thực hiện Quy chế dân chủ ở cơ sở năm 2021", on: db.pool)
            // Too many units for two days: rejected, nothing of it stored but the reason.
            var tooTight = plan
            tooTight.lastDay = try CivilDate(parsing: "06/08/2021")
            let rejected = try InspectionPlans().submit(tooTight, title: "Kế hoạch quá dày", on: db.pool)
            try drain(db)

            #expect(try count(db, "SELECT count(*) FROM danvan.inspection_visits WHERE plan_id = $1", submitted.planID) == 5)
            #expect(try count(db, "SELECT count(*) FROM danvan.inspection_plans WHERE id = $1 AND status = 'scheduled'", submitted.planID) == 1)
            #expect(try count(db, "SELECT count(DISTINCT unit_id) FROM danvan.notifications WHERE kind = 'inspection.scheduled'") == 5)
            #expect(try count(db, "SELECT count(*) FROM danvan.deadlines") == 0, "remedy deadlines wait for the visits' findings")
            let first = try db.pool.query(
                "SELECT n.body FROM danvan.notifications n WHERE n.unit_id = $1 AND n.kind = 'inspection.scheduled'", communes.min()!
            ).single().decode("body", as: String.self)
            #expect(first.hasPrefix("Sáng ngày 05/08/2021, Đoàn kiểm tra số 1 do đồng chí Nguyễn Thị Hồng làm trưởng đoàn"), "\(first)")
            #expect(first.hasSuffix("phải khắc phục trong 30 ngày kể từ ngày kiểm tra."), "\(first)")

            #expect(try count(db, "SELECT count(*) FROM danvan.inspection_visits WHERE plan_id = $1", rejected.planID) == 0)
            let reason = try db.pool.query("SELECT rejection FROM danvan.inspection_plans WHERE id = $1 AND status = 'rejected'", rejected.planID)
                .single().decode("rejection", as: String.self)
            #expect(reason.contains("5 units cannot be visited between 05/08/2021 and 06/08/2021"), "\(reason)")
        }
    }

    @Test func findingsMarkTheVisitDoneAndDecideItsRemedy() throws {
        try TestDatabase.with(schema: .domain) { db in
            let units = UnitDirectory()
            let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let district = try units.create(.district, named: "Càng Long", under: province.id, on: db.pool)
            let communes = try ["Mỹ Cẩm", "An Trường"].map { try units.create(.commune, named: $0, under: district.id, on: db.pool).id }
            let plan = InspectionPlan(
                issuingUnit: district.id, delegations: [.init(id: 1, name: "Đoàn 1", leader: "Lê Văn Bình", members: ["Lê Văn Bình"])],
                targets: communes, firstDay: try CivilDate(parsing: "02/08/2021"), lastDay: try CivilDate(parsing: "06/08/2021")
            )
            let submitted = try InspectionPlans().submit(plan, title: "Kiểm tra mô hình dân vận khéo", on: db.pool)
            try drain(db)
            let visits = try db.pool.query(
                "SELECT id, to_char(visit_on, 'DD/MM/YYYY') AS day FROM danvan.inspection_visits WHERE plan_id = $1 ORDER BY visit_on, slot",
                submitted.planID
            ).map { (id: try $0.decode("id", as: Int64.self), day: try CivilDate(parsing: try $0.decode("day", as: String.self))) }
            try #require(visits.count == 2)
            let record = InspectionVisits()
            #expect(throws: InspectionVisits.VisitError.beforeVisit(visit: visits[0].id, visitOn: visits[0].day, day: visits[0].day.adding(days: -1))) {
                try record.record(visit: visits[0].id, findings: "Sớm quá", recommendations: "", on: visits[0].day.adding(days: -1), by: .system, pool: db.pool)
            }
            // NFD in, NFC stored.
            try record.record(
                visit: visits[0].id, findings: "Thực hiện tốt quy chế dân chủ.", recommendations: "Bổ sung sổ theo dõi mô hình".decomposedStringWithCanonicalMapping,
                on: visits[0].day, by: .system, pool: db.pool
            )
            try record.record(visit: visits[1].id, findings: "Hồ sơ đầy đủ.", recommendations: "", on: visits[1].day.adding(days: 1), by: .system, pool: db.pool)
            #expect(throws: InspectionVisits.VisitError.alreadyRecorded(visits[1].id)) {
                try record.record(visit: visits[1].id, findings: "Lần hai", recommendations: "", on: visits[1].day, by: .system, pool: db.pool)
            }
            #expect(throws: AuthorityError.notFound(what: "inspection visit", id: 424_242)) {
                try record.record(visit: 424_242, findings: "x", recommendations: "", on: visits[1].day, by: .system, pool: db.pool)
            }

            #expect(try count(db, "SELECT count(*) FROM danvan.inspection_visits WHERE done_at IS NOT NULL") == 2)
            #expect(try count(db, "SELECT count(*) FROM danvan.inspection_visits WHERE recommendations = $1", "Bổ sung sổ theo dõi mô hình") == 1)
            let remedies = try db.pool.query(
                """
                SELECT v.id AS visit, d.id, to_char(d.due_on, 'DD/MM/YYYY') AS due, d.status::text AS status
                FROM danvan.inspection_visits v JOIN danvan.deadlines d ON d.id = v.remedy_deadline_id
                """
            ).map { "\(try $0.decode("visit", as: Int64.self)):\(try $0.decode("due", as: String.self)):\(try $0.decode("status", as: String.self))" }
            #expect(remedies == ["\(visits[0].id):\(visits[0].day.adding(days: 30)):open"], "a remedy deadline, 30 days after the visit, only where something is to fix")
            #expect(try count(db, "SELECT count(*) FROM danvan.deadlines") == 1)
            let conclusion = try db.pool.query(
                "SELECT body, deadline_id FROM danvan.notifications WHERE kind = 'inspection.concluded' AND unit_id = $1", communes[0]
            ).single()
            #expect(try conclusion.decode("deadline_id", as: Int64?.self) != nil)
            #expect(try conclusion.decode("body", as: String.self).hasSuffix("Kiến nghị: Bổ sung sổ theo dõi mô hình Hạn khắc phục: \(visits[0].day.adding(days: 30))."))
            #expect(try count(db, "SELECT count(*) FROM danvan.notifications WHERE kind = 'inspection.concluded'") == 2)
        }
    }

    @Test func badSubmissionsStoreNothing() throws {
        try TestDatabase.with(schema: .domain) { db in
            let units = UnitDirectory()
            let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let district = try units.create(.district, named: "Càng Long", under: province.id, on: db.pool)
            let elsewhere = try units.create(.district, named: "Cầu Kè", under: province.id, on: db.pool)
            let commune = try units.create(.commune, named: "Mỹ Cẩm", under: district.id, on: db.pool)
            let delegation = InspectionPlan.Delegation(id: 1, name: "Đoàn 1", leader: "A", members: ["A"])
            let good = InspectionPlan(
                issuingUnit: district.id, delegations: [delegation], targets: [commune.id],
                firstDay: try CivilDate(parsing: "02/08/2021"), lastDay: try CivilDate(parsing: "06/08/2021")
            )
            var plan = good
            plan.targets = [commune.id, 999_999]
            #expect(throws: InspectionPlans.SubmissionError.unknownUnit(999_999)) { try InspectionPlans().submit(plan, title: "x", on: db.pool) }
            plan = good
            plan.targets = [elsewhere.id]
            #expect(throws: InspectionPlans.SubmissionError.outsideIssuer(unit: elsewhere.id, issuer: district.id)) { try InspectionPlans().submit(plan, title: "x", on: db.pool) }
            plan = good
            plan.delegations[0].leader = "B"
            #expect(throws: InspectionPlans.SubmissionError.invalidPlan(.leaderNotAMember(delegation: "Đoàn 1", leader: "B"))) {
                try InspectionPlans().submit(plan, title: "x", on: db.pool)
            }
            #expect(throws: InspectionPlans.SubmissionError.invalidText(.controlCharacter(field: "plan title", code: 9))) {
                try InspectionPlans().submit(good, title: "Kế\thoạch", on: db.pool)
            }
            #expect(try count(db, "SELECT count(*) FROM danvan.inspection_plans") == 0)
            #expect(try count(db, "SELECT count(*) FROM kheo.all_jobs") == 0)
        }
    }
}
