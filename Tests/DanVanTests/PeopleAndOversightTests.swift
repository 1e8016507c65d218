import DanVan
import Foundation
import KheoTesting
import PostgresClient
import Testing

/// The people who run the movement and supervision beside inspection: members of a
/// steering committee assigned to follow models, a delegation head named with the
/// position held, and the province's "14 cuộc kiểm tra, giám sát đối với 18 tổ chức
/// đảng và 11 đảng viên" counted by the nightly roll-up.
@Suite("People and oversight")
struct PeopleAndOversightTests {
    static func day(_ text: String) throws -> CivilDate { try CivilDate(parsing: text) }

    @Test func theSeedsOversightFiguresRollUp() throws {
        try TestDatabase.with(schema: .domain) { db in
            let units = UnitDirectory()
            let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let district = try units.create(.district, named: "Càng Long", under: province.id, on: db.pool)
            let office = try units.create(.massMobilisationCommittee, named: "Ban Dân vận Huyện ủy", under: district.id, on: db.pool)
            let committees = try (1...18).map { number in
                try units.create(.partyCommittee, named: "Đảng ủy xã số \(number)", under: district.id, on: db.pool).id
            }
            let half = try Periods().create(.sixMonth, named: "6 tháng đầu năm 2024", from: try Self.day("01/01/2024"), to: try Self.day("30/06/2024"), on: db.pool)
            // 14 oversights: the 18 organisations and 11 members spread over them.
            try db.pool.transaction { connection in
                for number in 0..<14 {
                    let organisations = number < 4 ? [committees[number * 2], committees[number * 2 + 1]] : [committees[number + 4]]
                    let members = number < 11 ? ["Đảng viên \(number + 1)"] : []
                    _ = try Oversights().record(
                        number % 2 == 0 ? .inspection : .supervision, by: district.id, on: try Self.day("15/03/2024"), title: "Đợt \(number + 1)",
                        organisations: organisations, partyMembers: members, principal: .unit(district.id, .editor), in: connection
                    )
                }
                _ = try StatisticsBuilder.regenerate(in: connection)
            }
            let figures = try #require(try StatisticsFigures.read(unit: province.id, period: half.id, on: db.pool).first { $0.field == nil })
            #expect(figures.oversights == 14 && figures.organisationsOverseen == 18 && figures.partyMembersOverseen == 11)

            // An organisation outside the unit is refused; so is an oversight of nobody.
            let elsewhere = try units.create(.district, named: "Cầu Kè", under: province.id, on: db.pool)
            #expect(throws: OversightError.notUnder(organisation: elsewhere.id, unit: district.id)) {
                try db.pool.transaction { connection in
                    try Oversights().record(.supervision, by: district.id, on: try Self.day("16/03/2024"), title: "Sai", organisations: [elsewhere.id],
                                            partyMembers: [], principal: .system, in: connection)
                }
            }
            #expect(throws: OversightError.noSubject) {
                try db.pool.transaction { connection in
                    try Oversights().record(.supervision, by: district.id, on: try Self.day("16/03/2024"), title: "Trống", organisations: [],
                                            partyMembers: [" "].filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }, principal: .system, in: connection)
                }
            }
        }
    }

    /// Bình Sa: 21 members, each assigned models to follow; the campaign's side assigns,
    /// a new assignment ends the last, and a member who stopped serving is not assigned.
    @Test func membersOfTheSteeringCommitteeFollowModels() throws {
        try TestDatabase.with(schema: .domain) { db in
            let units = UnitDirectory()
            let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let district = try units.create(.district, named: "Càng Long", under: province.id, on: db.pool)
            let commune = try units.create(.commune, named: "Bình Sa", under: district.id, on: db.pool)
            let committee = try units.create(.steeringCommittee, named: "Ban Chỉ đạo phong trào", under: commune.id, on: db.pool)
            let campaign = try ModelRegistry().createCampaign(
                named: "Dân vận khéo 2024", unit: commune.id, from: try Self.day("01/01/2024"), to: try Self.day("31/12/2024"), on: db.pool
            )
            try ModelRegistry().setWindow(campaign: campaign, unitKind: .hamlet, opens: try Self.day("01/01/2024"), closes: try Self.day("31/03/2024"),
                                          collectiveQuota: 1, individualQuota: 1, on: db.pool)
            let hamlet = try units.create(.hamlet, named: "Thôn 1", under: commune.id, on: db.pool)
            let model = try ModelRegistry().register(.init(
                campaignID: campaign, unitID: hamlet.id, field: .economy, holder: .collective, holderName: "Chi hội Nông dân",
                title: "Trồng thanh long ruột đỏ", day: try Self.day("15/02/2024")
            ), by: .system, on: db.pool)
            let members = try db.pool.transaction { connection in
                try (1...21).map { number in
                    try Members().add(to: committee.id, fullName: "Thành viên \(number)", position: number == 1 ? "Trưởng ban" : "Thành viên",
                                      from: try Self.day("01/01/2024"), by: .unit(commune.id, .admin), in: connection)
                }
            }
            #expect(try Members().list(of: committee.id, serving: try Self.day("01/06/2024"), on: db.pool).count == 21)
            #expect(members[0].styled == "đồng chí Thành viên 1, Trưởng ban")

            try db.pool.transaction { connection in
                // The hamlet does not pick who follows its own model.
                #expect(throws: AuthorityError.self) {
                    try Members().assign(members[1].id, toFollow: model.id, on: try Self.day("01/03/2024"), by: .unit(hamlet.id, .admin), in: connection)
                }
            }
            try db.pool.transaction { connection in
                try Members().assign(members[1].id, toFollow: model.id, on: try Self.day("01/03/2024"), by: .unit(commune.id, .editor), in: connection)
                try Members().assign(members[2].id, toFollow: model.id, on: try Self.day("01/05/2024"), by: .unit(commune.id, .editor), in: connection)
            }
            #expect(try Members().follower(of: model.id, on: db.pool)?.id == members[2].id, "the later assignment replaces the first")
            try db.pool.transaction { connection in
                try Members().end(members[3].id, on: try Self.day("01/06/2024"), by: .unit(commune.id, .admin), in: connection)
            }
            #expect(throws: MemberError.notServing(member: members[3].id, on: try Self.day("01/07/2024"))) {
                try db.pool.transaction { connection in
                    try Members().assign(members[3].id, toFollow: model.id, on: try Self.day("01/07/2024"), by: .unit(commune.id, .editor), in: connection)
                }
            }
        }
    }

    /// A notice names the delegation's head with the position held, and does not say
    /// "kế hoạch" twice when the plan's title begins with it.
    @Test func aVisitNoticeNamesTheHeadAndTheirPosition() throws {
        try TestDatabase.with(schema: .domain) { db in
            let units = UnitDirectory()
            let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let district = try units.create(.district, named: "Càng Long", under: province.id, on: db.pool)
            let commune = try units.create(.commune, named: "Mỹ Cẩm", under: district.id, on: db.pool)
            let plan = InspectionPlan(
                issuingUnit: district.id,
                delegations: [.init(id: 1, name: "Đoàn kiểm tra số 1", leader: "Lê Văn Bình", leaderPosition: "Phó Trưởng Ban Dân vận Huyện ủy", members: ["Lê Văn Bình"])],
                targets: [commune.id], firstDay: try Self.day("04/08/2025"), lastDay: try Self.day("29/08/2025")
            )
            _ = try InspectionPlans().submit(plan, title: "Kế hoạch kiểm tra công tác dân vận năm 2025", on: db.pool)
            try drainDomainQueue(db, egress: .publicOnly)
            let body: String = try db.pool.query(
                "SELECT body FROM danvan.notifications WHERE unit_id = $1 AND kind = 'inspection.scheduled'", commune.id
            ).single().decode("body")
            #expect(body.contains("do đồng chí Lê Văn Bình, Phó Trưởng Ban Dân vận Huyện ủy, làm trưởng đoàn"), "\(body)")
            #expect(body.contains("theo Kế hoạch kiểm tra công tác dân vận năm 2025. Các kiến nghị"), "\(body)")
            #expect(!body.lowercased().contains("kế hoạch \u{201C}kế hoạch"), "\(body)")
        }
    }

    /// A unit pinned to a day is visited that day; a plan is rescheduled before its
    /// visits begin, and the units hear of their new days; after a visit, never.
    @Test func aPlanPinsUnitsToDaysAndIsRescheduledBeforeItBegins() throws {
        try TestDatabase.with(schema: .domain) { db in
            let units = UnitDirectory()
            let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let district = try units.create(.district, named: "Càng Long", under: province.id, on: db.pool)
            let communes = try ["Mỹ Cẩm", "An Trường", "Huyền Hội"].map { try units.create(.commune, named: $0, under: district.id, on: db.pool).id }
            var plan = InspectionPlan(
                issuingUnit: district.id, delegations: [.init(id: 1, name: "Đoàn 1", leader: "Lê Văn Bình", members: ["Lê Văn Bình"])],
                targets: communes, firstDay: try Self.day("04/08/2025"), lastDay: try Self.day("29/08/2025")
            )
            plan.pins = [.init(target: communes[2], date: try Self.day("05/08/2025"), slot: .afternoon)]
            let submitted = try InspectionPlans().submit(plan, title: "Kế hoạch kiểm tra năm 2025", on: db.pool)
            try drainDomainQueue(db, egress: .publicOnly)
            func visits() throws -> [Int64: String] {
                Dictionary(uniqueKeysWithValues: try db.pool.query(
                    "SELECT unit_id, to_char(visit_on, 'DD/MM/YYYY') || ' ' || slot AS at FROM danvan.inspection_visits WHERE plan_id = $1", submitted.planID
                ).map { (try $0.decode("unit_id", as: Int64.self), try $0.decode("at", as: String.self)) })
            }
            #expect(try visits()[communes[2]] == "05/08/2025 afternoon")

            // A pin on a Saturday is refused with the reason.
            var saturday = plan
            saturday.pins = [.init(target: communes[0], date: try Self.day("09/08/2025"))]
            #expect(throws: InspectionPlans.SubmissionError.invalidPlan(.pinOnDayOff(target: communes[0], date: try Self.day("09/08/2025")))) {
                try InspectionPlans().submit(saturday, title: "Sai", on: db.pool)
            }

            // Rescheduled: Huyền Hội to 12/08, any half-day.
            _ = try db.pool.transaction { connection in
                try InspectionPlans().reschedule(
                    submitted.planID, .init(pins: [.init(target: communes[2], date: try Self.day("12/08/2025"))]), by: .unit(district.id, .editor), in: connection
                )
            }
            try drainDomainQueue(db, egress: .publicOnly)
            #expect(try visits()[communes[2]]?.hasPrefix("12/08/2025") == true)
            #expect(try visits().count == 3)
            let titles: [String] = try db.pool.query(
                "SELECT title FROM danvan.notifications WHERE unit_id = $1 AND kind = 'inspection.scheduled' ORDER BY id", communes[2]
            ).map { try $0.decode("title") }
            #expect(titles == ["Lịch kiểm tra: Kế hoạch kiểm tra năm 2025", "Điều chỉnh lịch kiểm tra: Kế hoạch kiểm tra năm 2025"])

            // Once a visit's findings are in, the plan stands.
            let visit: Int64 = try db.pool.query(
                "SELECT id FROM danvan.inspection_visits WHERE plan_id = $1 ORDER BY visit_on LIMIT 1", submitted.planID
            ).single().decode("id")
            try InspectionVisits().record(
                visit: visit, findings: "Tốt.", recommendations: "", on: try Self.day("29/08/2025"), by: .unit(district.id, .editor), pool: db.pool
            )
            #expect(throws: InspectionPlans.SubmissionError.alreadyBegun(submitted.planID)) {
                try db.pool.transaction { connection in
                    try InspectionPlans().reschedule(submitted.planID, .init(lastDay: try Self.day("30/09/2025")), by: .unit(district.id, .editor), in: connection)
                }
            }
        }
    }
}
