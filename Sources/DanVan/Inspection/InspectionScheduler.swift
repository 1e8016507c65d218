/// Turns an inspection plan into visits, or refuses it whole.
///
/// The rules: every target unit is visited exactly once; a delegation is in one place
/// per half-day and makes at most `visitsPerDelegationPerDay` visits a day; weekends
/// and holidays have no visits; everything falls within the period. The same plan
/// always gives the same visits.
///
/// How: list every opening the period offers — each working day, each delegation (in
/// id order), the day's first `visitsPerDelegationPerDay` allowed half-days — in time
/// order.
/// Each opening respects every rule by construction, so the plan fits exactly when
/// there are at least as many openings as units. The units (in id order) then take
/// openings spread evenly across the list, so visits are spread over the period
/// instead of crowding its first days.
public enum InspectionScheduler {
    public static func schedule(_ plan: InspectionPlan) throws(InspectionPlanError) -> [InspectionVisit] {
        try validate(plan)
        let slots = plan.slots.sorted()
        let delegations = plan.delegations.map(\.id).sorted()
        let perDay = min(plan.visitsPerDelegationPerDay, slots.count)
        var openings: [(date: CivilDate, slot: InspectionPlan.Slot, delegation: Int64)] = []
        var workingDays = 0
        for number in plan.firstDay.dayNumber...plan.lastDay.dayNumber {
            let date = CivilDate(dayNumber: number)
            guard !date.isWeekend, !plan.holidays.contains(where: { $0.first <= date && date <= $0.last }) else { continue }
            workingDays += 1
            for slot in slots.prefix(perDay) {
                for delegation in delegations { openings.append((date, slot, delegation)) }
            }
        }
        let targets = plan.targets.sorted()
        guard openings.count >= targets.count else {
            throw .doesNotFit(
                targets: targets.count, capacity: openings.count, workingDays: workingDays, first: plan.firstDay, last: plan.lastDay
            )
        }
        return targets.enumerated().map { index, target in
            let opening = openings[index * openings.count / targets.count]
            return InspectionVisit(target: target, delegation: opening.delegation, date: opening.date, slot: opening.slot)
        }
    }

    /// Checks a plan's own consistency (not whether it fits); `schedule` does this first.
    public static func validate(_ plan: InspectionPlan) throws(InspectionPlanError) {
        guard plan.firstDay <= plan.lastDay else { throw .periodEndsBeforeItStarts(first: plan.firstDay, last: plan.lastDay) }
        guard !plan.delegations.isEmpty else { throw .noDelegation }
        guard !plan.targets.isEmpty else { throw .noTarget }
        guard !plan.slots.isEmpty else { throw .noSlot }
        guard Set(plan.slots).count == plan.slots.count else { throw .slotListedTwice }
        guard (1...2).contains(plan.visitsPerDelegationPerDay) else { throw .invalidDailyLimit(plan.visitsPerDelegationPerDay) }
        var delegationIDs = Set<Int64>()
        for delegation in plan.delegations {
            guard delegationIDs.insert(delegation.id).inserted else { throw .delegationListedTwice(delegation.id) }
            guard !delegation.members.isEmpty else { throw .delegationWithoutMembers(delegation.name) }
            guard delegation.members.contains(delegation.leader) else {
                throw .leaderNotAMember(delegation: delegation.name, leader: delegation.leader)
            }
        }
        var targets = Set<Int64>()
        for target in plan.targets {
            guard targets.insert(target).inserted else { throw .targetListedTwice(target) }
        }
        let holidays = plan.holidays.sorted { $0.first < $1.first }
        for holiday in holidays where holiday.last < holiday.first { throw .holidayEndsBeforeItStarts(holiday.name) }
        for (earlier, later) in zip(holidays, holidays.dropFirst()) where later.first <= earlier.last {
            throw .overlappingHolidays(earlier.name, later.name)
        }
    }
}
