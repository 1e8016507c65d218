import DanVan
import Dispatch
import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Synchronization
import Testing

/// The document registry: drafted from the data by a job, edited, issued with the
/// issuing unit's next number, then never changed; corrected by a new document.
@Suite("Documents")
struct DocumentTests {
    struct World {
        let province: Int64, district: Int64, communes: [Int64], period: Int64, planID: Int64
    }

    /// A district with three communes, five models (two recognised, one commended), a
    /// six-month period with statistics, and a scheduled inspection plan with one
    /// visit's findings recorded.
    static func world(_ db: TestDatabase) throws -> World {
        let units = UnitDirectory()
        let province = try units.create(.province, named: "Tỉnh Trà Vinh", under: nil, on: db.pool)
        let district = try units.create(.district, named: "Huyện Châu Thành", under: province.id, on: db.pool)
        let communes = try ["Xã Hòa Lợi", "Xã Hòa Minh", "Xã Đa Lộc"].map { try units.create(.commune, named: $0, under: district.id, on: db.pool).id }
        let registry = ModelRegistry()
        let campaign = try registry.createCampaign(
            named: "Dân vận khéo 2024", unit: district.id, from: try CivilDate(parsing: "01/01/2024"), to: try CivilDate(parsing: "31/12/2024"), on: db.pool
        )
        try registry.setWindow(
            campaign: campaign, unitKind: .commune, opens: try CivilDate(parsing: "01/01/2024"), closes: try CivilDate(parsing: "30/06/2024"),
            collectiveQuota: 2, individualQuota: 1, on: db.pool
        )
        let fields: [Model.Field] = [.economy, .economy, .cultureSociety, .defenceSecurity, .politicalSystem]
        var models: [Model] = []
        for (index, field) in fields.enumerated() {
            models.append(try registry.register(ModelRegistration(
                campaignID: campaign, unitID: communes[index % 2], field: field, holder: index == 0 ? .individual : .collective,
                holderName: "Chi hội Phụ nữ \(index)", title: "Mô hình số \(index)", day: try CivilDate(parsing: "15/03/2024")
            ), by: .system, on: db.pool))
        }
        for (index, model) in models.prefix(2).enumerated() {
            for state in [Model.State.implementing, .evaluated, .recognised] + (index == 0 ? [.commended] : []) {
                _ = try registry.transition(model.id, to: state, on: try CivilDate(parsing: "01/05/2024"), by: .system, pool: db.pool)
            }
        }
        let period: Int64 = try db.pool.query(
            "INSERT INTO danvan.periods (kind, name, starts_on, ends_on) VALUES ('six_month', '6 tháng đầu năm 2024', '2024-01-01', '2024-06-30') RETURNING id"
        ).single().decode("id")
        let leader = "Lê Văn Bình"
        let plan = InspectionPlan(
            issuingUnit: district.id,
            delegations: [InspectionPlan.Delegation(id: 1, name: "Đoàn kiểm tra số 1", leader: leader, leaderPosition: "Phó Trưởng Ban Dân vận Huyện ủy", members: [leader, "Trần Thị Mai"])],
            targets: communes, firstDay: try CivilDate(parsing: "05/08/2024"), lastDay: try CivilDate(parsing: "09/08/2024"),
            slots: [.morning, .afternoon], visitsPerDelegationPerDay: 1
        )
        let submitted = try InspectionPlans().submit(plan, title: "Kế hoạch kiểm tra công tác dân vận năm 2024", on: db.pool)
        try drainDomainQueue(db, egress: .publicOnly)
        let visit: Int64 = try db.pool.query("SELECT min(id) AS id FROM danvan.inspection_visits WHERE plan_id = $1", submitted.planID).single().decode("id")
        try InspectionVisits().record(
            visit: visit, findings: "Đơn vị thực hiện tốt Quy chế dân chủ ở cơ sở.", recommendations: "Bổ sung hòm thư góp ý tại trụ sở ấp.",
            on: try CivilDate(parsing: "05/08/2024"), by: .unit(district.id, .editor), pool: db.pool
        )
        try db.pool.transaction { connection in _ = try StatisticsBuilder.regenerate(in: connection) }
        return World(province: province.id, district: district.id, communes: communes, period: period, planID: submitted.planID)
    }

    func draft(_ db: TestDatabase, _ request: DocumentRequest) throws -> StoredDocument {
        try db.pool.transaction { connection in try DocumentRegistry().draft(request, in: connection) }
    }

    func text(_ db: TestDatabase, _ id: Int64, _ format: DocumentFormat) throws -> String {
        String(decoding: try #require(try DocumentRegistry().file(id, format, on: db.pool)).data, as: UTF8.self)
    }

    /// The part limit counts what was sent, in code points, as the API's schema does:
    /// leading space that cleaning trims does not let a longer text through.
    @Test func aPartOverTheLimitIsRefusedAsSentNotAsTrimmed() throws {
        let limit = DocumentRegistry.partLimit
        let atLimit = String(repeating: "Ⱦ", count: limit)
        let request = { (text: String) throws in try DocumentRequest(kind: .reviewReport, unitID: 1, periodID: 1, parts: ["signer": text]).validated() }
        #expect(try request(atLimit).parts?["signer"] == atLimit)
        #expect(throws: DocumentError.partTooLong(key: "signer", length: limit + 1, limit: limit)) { try request(" " + atLimit) }
        #expect(throws: DocumentError.partTooLong(key: "signer", length: limit + 1, limit: limit)) { try request(atLimit + "a") }
    }

    @Test func aReportIsDraftedByAJobFromTheSnapshotAndIssuedWithTheNextNumber() throws {
        try TestDatabase.with(schema: .domain) { db in
            let world = try Self.world(db)
            try Producer().enqueue(
                DocumentJobs.Draft(DocumentRequest(kind: .reviewReport, unitID: world.district, periodID: world.period)),
                options: EnqueueOptions(queue: DanVanJobs.queue), on: db.pool
            )
            try Producer().enqueue(
                DocumentJobs.Draft(DocumentRequest(kind: .inspectionConclusion, visitID: 987_654)), options: EnqueueOptions(queue: DanVanJobs.queue), on: db.pool
            )
            try drainDomainQueue(db, egress: .publicOnly)
            let listed = try DocumentRegistry().list(under: world.district, on: db.pool)
            let report = try #require(listed.first { $0.kind == .reviewReport })
            #expect(report.status == .draft && report.number == nil && report.symbol == "BC/BDVHU")
            #expect(Set(report.files.keys) == [.docx, .html, .csv], "\(report.files)")
            let discarded = try db.pool.query("SELECT errors::text AS e FROM kheo.all_jobs WHERE state = 'discarded'").single().decode("e", as: String.self)
            #expect(discarded.contains("inspection visit 987654 does not exist"), "\(discarded)")

            let html = try text(db, report.id, .html)
            #expect(html.contains("HUYỆN ỦY CHÂU THÀNH") && html.contains("BAN DÂN VẬN") && html.contains("Số       -BC/BDVHU"), "a draft's number is blank")
            #expect(html.contains("Toàn huyện Châu Thành có 5 mô hình “Dân vận khéo” đăng ký (4 tập thể, 1 cá nhân)"), "\(html)")
            #expect(html.contains("2 mô hình được công nhận (tỷ lệ 40,0% số mô hình đăng ký), 1 mô hình được biểu dương"))
            #expect(html.contains("Mô hình “Mô hình số 0” của Chi hội Phụ nữ 0 (Xã Hòa Lợi)"), "the commended model with its unit")
            #expect(html.contains("Xã Đa Lộc: 0/2 mô hình tập thể, 0/1 mô hình cá nhân"), "the commune behind its target")
            let csv = try text(db, report.id, .csv).dropFirst().components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(csv.first == "Đơn vị,Mô hình đăng ký,Kinh tế,Văn hóa – Xã hội,Quốc phòng – An ninh,Xây dựng hệ thống chính trị,Được công nhận,Tỷ lệ công nhận (%),Được biểu dương")
            #expect(csv.last == "Tổng cộng,5,2,1,1,1,2,\"40,0\",1", "the total is the snapshot's: \(csv)")
            #expect(csv.count == 5, "header, three communes, total: \(csv)")

            // Issue: a signer is required, then number 1 of the district's BC register.
            let admin = Principal.unit(world.district, .admin)
            #expect(throws: DocumentError.unsigned(report.id)) { try db.pool.transaction { try DocumentRegistry().issue(report.id, by: admin, in: $0) } }
            _ = try db.pool.transaction { try DocumentRegistry().edit(report.id, parts: ["signer": "Nguyễn Văn An", "proposals": "Đề nghị tập huấn."], by: .unit(world.district, .editor), in: $0) }
            let issued = try db.pool.transaction { try DocumentRegistry().issue(report.id, by: admin, in: $0) }
            #expect(issued.status == .issued && issued.number == 1 && issued.reference == "1-BC/BDVHU")
            let year = Calendar(identifier: .gregorian).component(.year, from: Date())
            let issuedHTML = try text(db, report.id, .html)
            #expect(issuedHTML.contains("Số 1-BC/BDVHU") && issuedHTML.contains(", ngày ") && issuedHTML.contains("năm \(year)"), "numbered and dated")
            #expect(issuedHTML.contains("Đề nghị tập huấn.") && issuedHTML.contains("Nguyễn Văn An"))

            // The issued bytes are kept: the same on every download, as their checksum says.
            let first = try #require(try DocumentRegistry().file(report.id, .docx, on: db.pool))
            let again = try #require(try DocumentRegistry().file(report.id, .docx, on: db.pool))
            #expect(first.data == again.data && first.sha256 == again.sha256 && issued.files[.docx] == first.sha256)
            let computed: String = try db.pool.query("SELECT encode(sha256($1), 'hex') AS h", first.data).single().decode("h")
            #expect(computed == first.sha256)

            // Never changed again: not through the registry, not by SQL.
            #expect(throws: DocumentError.issued(id: report.id, number: "1-BC/BDVHU")) {
                try db.pool.transaction { try DocumentRegistry().edit(report.id, parts: ["proposals": "x"], by: admin, in: $0) }
            }
            #expect(throws: DocumentError.issued(id: report.id, number: "1-BC/BDVHU")) {
                try db.pool.transaction { try DocumentRegistry().issue(report.id, by: admin, in: $0) }
            }
            for sql in [
                "UPDATE danvan.documents SET title = 'x' WHERE id = $1", "DELETE FROM danvan.documents WHERE id = $1",
                "UPDATE danvan.document_files SET content = '\\x00' WHERE document_id = $1", "DELETE FROM danvan.document_files WHERE document_id = $1",
                "INSERT INTO danvan.document_files (document_id, format, content, sha256) VALUES ($1, 'xlsx', '\\x00', sha256('\\x00'))",
            ] {
                #expect(performing: { try db.pool.query(sql, report.id) }, throws: { ($0 as? PostgresError)?.sqlState == "55000" })
            }
            #expect(try DocumentRegistry().file(report.id, .docx, on: db.pool)?.data == first.data)

            // A correction is a new draft that names the issued one; the next issue
            // takes number 2.
            let correction = try draft(db, DocumentRequest(kind: .reviewReport, unitID: world.district, periodID: world.period, correctsID: report.id))
            #expect(correction.correctsID == report.id && correction.status == .draft)
            #expect(try text(db, correction.id, .html).contains("Văn bản này thay thế báo cáo số 1-BC/BDVHU ngày "))
            #expect(throws: DocumentError.cannotCorrect(correction.id, why: "it is a draft: edit it instead")) {
                _ = try draft(db, DocumentRequest(kind: .reviewReport, unitID: world.district, periodID: world.period, correctsID: correction.id))
            }
            _ = try db.pool.transaction { try DocumentRegistry().edit(correction.id, parts: ["signer": "Nguyễn Văn An"], by: admin, in: $0) }
            #expect(try db.pool.transaction { try DocumentRegistry().issue(correction.id, by: admin, in: $0) }.reference == "2-BC/BDVHU")
        }
    }

    @Test func onlyTheIssuingUnitEditsAndOnlyItsAdminIssues() throws {
        try TestDatabase.with(schema: .domain) { db in
            let world = try Self.world(db)
            let document = try draft(db, DocumentRequest(kind: .reviewReport, unitID: world.communes[0], periodID: world.period))
            let edit = { (who: Principal) in
                try db.pool.transaction { try DocumentRegistry().edit(document.id, parts: ["signer": "Trần Văn Hai"], by: who, in: $0) }
            }
            #expect(throws: AuthorityError.self) { _ = try edit(.unit(world.district, .admin)) }
            #expect(throws: AuthorityError.notFound(what: "document", id: document.id)) { _ = try edit(.unit(world.communes[1], .admin)) }
            #expect(throws: AuthorityError.self) { _ = try edit(.unit(world.communes[0], .viewer)) }
            _ = try edit(.unit(world.communes[0], .editor))
            #expect(throws: AuthorityError.self) {
                _ = try db.pool.transaction { try DocumentRegistry().issue(document.id, by: .unit(world.communes[0], .editor), in: $0) }
            }
            let issued = try db.pool.transaction { try DocumentRegistry().issue(document.id, by: .unit(world.communes[0], .admin), in: $0) }
            #expect(issued.reference == "1-BC/ĐU", "the commune's party committee numbers its own")
            // Parts: only the document's own, without control characters, within the limit.
            let other = try draft(db, DocumentRequest(kind: .reviewReport, unitID: world.district, periodID: world.period))
            let editor = Principal.unit(world.district, .editor)
            #expect(throws: DocumentError.self) { _ = try db.pool.transaction { try DocumentRegistry().edit(other.id, parts: ["nope": "x"], by: editor, in: $0) } }
            #expect(throws: DocumentError.self) { _ = try db.pool.transaction { try DocumentRegistry().edit(other.id, parts: ["causes": "a\u{0}b"], by: editor, in: $0) } }
            #expect(throws: DocumentError.self) {
                _ = try db.pool.transaction { try DocumentRegistry().edit(other.id, parts: ["causes": String(repeating: "ă", count: 20_001)], by: editor, in: $0) }
            }
            let edited = try db.pool.transaction {
                try DocumentRegistry().edit(other.id, parts: ["causes": "Dòng một;\r\nDòng hai <b>'; DROP TABLE x; --"], by: editor, in: $0)
            }
            #expect(edited.parts["causes"] == "Dòng một;\nDòng hai <b>'; DROP TABLE x; --")
            let html = try text(db, other.id, .html)
            #expect(html.contains("<p class=\"body\">Dòng một;</p>") && html.contains("Dòng hai &lt;b&gt;&#39;; DROP TABLE x; --"))
        }
    }

    @Test func numbersAreConsecutivePerUnitKindAndYearEvenWhenIssuedAtOnce() throws {
        try TestDatabase.with(schema: .domain) { db in
            let world = try Self.world(db)
            let drafts = try (0..<6).map { _ in
                let document = try draft(db, DocumentRequest(kind: .statisticsWorkbook, unitID: world.district, periodID: world.period))
                _ = try db.pool.transaction { try DocumentRegistry().edit(document.id, parts: ["signer": "Nguyễn Văn An"], by: .system, in: $0) }
                return document.id
            }
            let plan = try draft(db, DocumentRequest(kind: .inspectionPlan, planID: world.planID))
            _ = try db.pool.transaction { try DocumentRegistry().edit(plan.id, parts: ["signer": "Nguyễn Văn An"], by: .system, in: $0) }
            let numbers = Mutex<[Int]>([])
            DispatchQueue.concurrentPerform(iterations: drafts.count) { index in
                let issued = try? db.pool.transaction { try DocumentRegistry().issue(drafts[index], by: .system, in: $0) }
                numbers.withLock { $0.append(issued?.number ?? 0) }
            }
            #expect(numbers.withLock { $0.sorted() } == Array(1...6), "six workbooks, numbers 1 to 6 with no gap or repeat")
            #expect(try db.pool.transaction { try DocumentRegistry().issue(plan.id, by: .system, in: $0) }.reference == "1-KH/BDVHU", "plans count apart")
        }
    }

    @Test func thePlanScheduleAndConclusionFollowTheStoredPlan() throws {
        try TestDatabase.with(schema: .domain) { db in
            let world = try Self.world(db)
            let stored = try #require(try InspectionPlans().find(world.planID, on: db.pool))
            let schedule = try draft(db, DocumentRequest(kind: .inspectionSchedule, planID: world.planID))
            #expect(schedule.unitID == world.district && schedule.symbol == "TB/BDVHU")
            let rows = try text(db, schedule.id, .csv).dropFirst().components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(rows.count == stored.visits.count + 1)
            let names = try Dictionary(uniqueKeysWithValues: UnitDirectory().subtree(of: world.district, on: db.pool).map { ($0.id, $0.name) })
            for (index, visit) in stored.visits.enumerated() {
                let expected = "\(index + 1),\(visit.slot.vietnamese) ngày \(visit.day),\(names[visit.unitID] ?? "?"),Đoàn kiểm tra số 1,"
                #expect(rows[index + 1].hasPrefix(expected), "\(rows[index + 1]) against \(expected)")
            }
            let planDocument = try draft(db, DocumentRequest(kind: .inspectionPlan, planID: world.planID))
            let planHTML = try text(db, planDocument.id, .html)
            #expect(planHTML.contains("<h1>KẾ HOẠCH</h1>") && planHTML.contains("kiểm tra công tác dân vận năm 2024") && planHTML.contains("Trưởng đoàn: đồng chí Lê Văn Bình"))
            #expect(planHTML.contains("Thành viên: đồng chí Trần Thị Mai") && !planHTML.contains("Thành viên: đồng chí Lê Văn Bình"), "the head is named once")

            let visit = try #require(stored.visits.first { $0.findings != nil })
            let conclusion = try draft(db, DocumentRequest(kind: .inspectionConclusion, visitID: visit.id))
            #expect(conclusion.unitID == world.district && conclusion.concernedUnitID == visit.unitID)
            let html = try text(db, conclusion.id, .html)
            let due: String = try db.pool.query("SELECT to_char(due_on, 'DD/MM/YYYY') AS d FROM danvan.deadlines WHERE id = $1", visit.remedyDeadlineID!).single().decode("d")
            #expect(html.contains("Đơn vị thực hiện tốt Quy chế dân chủ ở cơ sở.") && html.contains("Bổ sung hòm thư góp ý tại trụ sở ấp."))
            #expect(html.contains("báo cáo kết quả về Ban Dân vận Huyện ủy Châu Thành trước ngày \(due)."), "\(html)")
            // The inspected commune sees its conclusion; its sibling does not.
            #expect(try DocumentRegistry().list(under: visit.unitID, on: db.pool).map(\.id) == [conclusion.id])
            #expect(try DocumentRegistry().list(under: world.communes.first { $0 != visit.unitID }!, on: db.pool).isEmpty)
            // A visit without findings has no conclusion yet.
            let pending = try #require(stored.visits.first { $0.findings == nil })
            #expect(throws: DocumentError.visitNotDone(pending.id)) { _ = try draft(db, DocumentRequest(kind: .inspectionConclusion, visitID: pending.id)) }
        }
    }
}
