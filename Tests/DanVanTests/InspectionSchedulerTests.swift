import DanVan
import KheoTesting
import Testing

// Random plans come from `SeededGenerator`, so each can be rebuilt from its seed when a
// property fails.

@Suite("Inspection scheduling")
struct InspectionSchedulerTests {
    static func randomPlan(seed: UInt64) throws -> InspectionPlan {
        var random = SeededGenerator(state: seed)
        let first = try CivilDate(year: 2024, month: 1, day: 1).adding(days: Int.random(in: 0..<300, using: &random))
        let last = first.adding(days: Int.random(in: 0..<40, using: &random))
        let delegations = (0..<Int.random(in: 1...4, using: &random)).map { index in
            let members = (0..<Int.random(in: 1...5, using: &random)).map { "Thành viên \(index)-\($0)" }
            return InspectionPlan.Delegation(
                id: Int64(100 + index * 7), name: "Đoàn \(index + 1)", leader: members.randomElement(using: &random)!, members: members
            )
        }
        var targets = Set<Int64>()
        let wanted = Int.random(in: 1...60, using: &random)
        while targets.count < wanted { targets.insert(Int64.random(in: 1...10_000, using: &random)) }
        var holidays: [InspectionPlan.Holiday] = []
        var cursor = first.adding(days: Int.random(in: 0...5, using: &random))
        for index in 0..<Int.random(in: 0...3, using: &random) {
            let end = cursor.adding(days: Int.random(in: 0...3, using: &random))
            holidays.append(InspectionPlan.Holiday(name: "Nghỉ lễ \(index)", first: cursor, last: end))
            cursor = end.adding(days: Int.random(in: 1...10, using: &random))
        }
        let slots: [InspectionPlan.Slot] = [[.morning], [.afternoon], [.morning, .afternoon], [.afternoon, .morning]].randomElement(using: &random)!
        return InspectionPlan(
            issuingUnit: 1, delegations: delegations.shuffled(using: &random), targets: Array(targets).shuffled(using: &random),
            firstDay: first, lastDay: last, slots: slots, visitsPerDelegationPerDay: Int.random(in: 1...2, using: &random),
            holidays: holidays.shuffled(using: &random)
        )
    }

    /// Working days times delegations times the half-days each may use a day.
    static func capacity(_ plan: InspectionPlan) -> Int {
        var days = 0
        for number in plan.firstDay.dayNumber...plan.lastDay.dayNumber {
            let date = CivilDate(dayNumber: number)
            if !date.isWeekend, !plan.holidays.contains(where: { $0.first <= date && date <= $0.last }) { days += 1 }
        }
        return days * plan.delegations.count * min(plan.visitsPerDelegationPerDay, plan.slots.count)
    }

    /// 500 random plans: every rule holds for those that fit, the same plan (in any
    /// order) gives the same visits, and those that cannot fit are refused whole.
    @Test func everyRuleHoldsOverRandomPlans() throws {
        var fitted = 0, refused = 0
        for seed in UInt64(1)...500 {
            let plan = try Self.randomPlan(seed: seed)
            let capacity = Self.capacity(plan)
            guard capacity >= plan.targets.count else {
                let error = #expect(throws: InspectionPlanError.self, "seed \(seed)") { try InspectionScheduler.schedule(plan) }
                guard case .doesNotFit(let targets, let reported, _, _, _)? = error else {
                    Issue.record("seed \(seed): refused for \(String(describing: error)) instead of not fitting")
                    continue
                }
                #expect(targets == plan.targets.count && reported == capacity, "seed \(seed)")
                refused += 1
                continue
            }
            let visits = try InspectionScheduler.schedule(plan)
            fitted += 1
            #expect(visits.count == plan.targets.count, "seed \(seed)")
            #expect(Set(visits.map(\.target)) == Set(plan.targets), "seed \(seed): every unit once")
            let places = visits.map { "\($0.delegation) \($0.date) \($0.slot)" }
            #expect(Set(places).count == places.count, "seed \(seed): a delegation in two places at once")
            let perDay = Dictionary(grouping: visits) { "\($0.delegation) \($0.date)" }
            #expect(perDay.values.allSatisfy { $0.count <= plan.visitsPerDelegationPerDay }, "seed \(seed): daily limit")
            for visit in visits {
                #expect(!visit.date.isWeekend, "seed \(seed): a visit on a weekend")
                #expect(plan.firstDay <= visit.date && visit.date <= plan.lastDay, "seed \(seed): outside the period")
                #expect(!plan.holidays.contains { $0.first <= visit.date && visit.date <= $0.last }, "seed \(seed): on a holiday")
                #expect(plan.slots.contains(visit.slot), "seed \(seed): a half-day the plan does not allow")
                #expect(plan.delegations.contains { $0.id == visit.delegation }, "seed \(seed)")
            }
            var reordered = plan
            reordered.targets.reverse()
            reordered.delegations.reverse()
            reordered.holidays.reverse()
            #expect(try InspectionScheduler.schedule(reordered) == visits, "seed \(seed): same plan, different visits")
        }
        #expect(fitted > 100 && refused > 20, "the generator should produce both kinds: \(fitted) fitted, \(refused) refused")
    }

    /// Visits spread over the period rather than filling its first days.
    @Test func visitsAreSpreadOverThePeriod() throws {
        let delegation = InspectionPlan.Delegation(id: 1, name: "Đoàn 1", leader: "Nguyễn Văn A", members: ["Nguyễn Văn A", "Trần Thị B"])
        let plan = InspectionPlan(
            issuingUnit: 1, delegations: [delegation], targets: [11, 12, 13, 14],
            firstDay: try CivilDate(parsing: "02/09/2024"), lastDay: try CivilDate(parsing: "27/09/2024"),
            slots: [.morning, .afternoon], visitsPerDelegationPerDay: 2,
            holidays: [InspectionPlan.Holiday(name: "Quốc khánh", first: try CivilDate(parsing: "02/09/2024"), last: try CivilDate(parsing: "03/09/2024"))]
        )
        let visits = try InspectionScheduler.schedule(plan)
        // 18 working days (the holiday and weekends out) × 2 half-days = 36 openings;
        // the 4 units take openings 0, 9, 18 and 27.
        #expect(visits.map(\.date.description) == ["04/09/2024", "10/09/2024", "17/09/2024", "23/09/2024"])
        #expect(visits.map(\.slot) == [.morning, .afternoon, .morning, .afternoon])
        #expect(visits.map(\.target) == [11, 12, 13, 14])
    }

    @Test func badPlansAreRefusedWithTheFaultNamed() throws {
        let leader = "Lê Văn C"
        let good = InspectionPlan(
            issuingUnit: 1,
            delegations: [InspectionPlan.Delegation(id: 1, name: "Đoàn 1", leader: leader, members: [leader])],
            targets: [5, 6], firstDay: try CivilDate(parsing: "01/07/2024"), lastDay: try CivilDate(parsing: "31/07/2024")
        )
        var plan = good
        plan.lastDay = try CivilDate(parsing: "30/06/2024")
        #expect(throws: InspectionPlanError.periodEndsBeforeItStarts(first: good.firstDay, last: plan.lastDay)) { try InspectionScheduler.schedule(plan) }
        plan = good
        plan.delegations[0].leader = "Người ngoài"
        #expect(throws: InspectionPlanError.leaderNotAMember(delegation: "Đoàn 1", leader: "Người ngoài")) { try InspectionScheduler.schedule(plan) }
        plan = good
        plan.targets = [5, 5]
        #expect(throws: InspectionPlanError.targetListedTwice(5)) { try InspectionScheduler.schedule(plan) }
        plan = good
        plan.holidays = [
            InspectionPlan.Holiday(name: "A", first: try CivilDate(parsing: "02/07/2024"), last: try CivilDate(parsing: "05/07/2024")),
            InspectionPlan.Holiday(name: "B", first: try CivilDate(parsing: "05/07/2024")),
        ]
        #expect(throws: InspectionPlanError.overlappingHolidays("A", "B")) { try InspectionScheduler.schedule(plan) }
        plan = good
        plan.firstDay = try CivilDate(parsing: "06/07/2024")
        plan.lastDay = try CivilDate(parsing: "07/07/2024")
        let error = #expect(throws: InspectionPlanError.self) { try InspectionScheduler.schedule(plan) }
        #expect(error?.description == "2 units cannot be visited between 06/07/2024 and 07/07/2024: 0 working day(s) allow 0 visit(s) with these delegations and limits")
    }
}
