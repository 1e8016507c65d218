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
/// instead of crowding its first days. Pinned units take an opening on their day
/// first (the first free one, or the half-day pinned); the rest are spread over what
/// is left.
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
        guard openings.count >= plan.targets.count else {
            throw .doesNotFit(
                targets: plan.targets.count, capacity: openings.count, workingDays: workingDays, first: plan.firstDay, last: plan.lastDay
            )
        }
        var pinned: [InspectionVisit] = []
        for pin in plan.pins.sorted(by: { ($0.date, $0.target) < ($1.date, $1.target) }) {
            // The half-day pinned, or (a delegation making one visit a day, which the
            // openings give its first allowed half-day) that delegation's day taken in
            // the half-day pinned instead.
            let exact = openings.firstIndex { $0.date == pin.date && (pin.slot == nil || $0.slot == pin.slot) }
            guard let index = exact ?? (perDay == 1 ? openings.firstIndex { $0.date == pin.date } : nil) else {
                throw .pinNotPossible(target: pin.target, date: pin.date)
            }
            let opening = openings.remove(at: index)
            pinned.append(InspectionVisit(target: pin.target, delegation: opening.delegation, date: opening.date, slot: pin.slot ?? opening.slot))
        }
        let pinnedTargets = Set(plan.pins.map(\.target))
        let targets = plan.targets.filter { !pinnedTargets.contains($0) }.sorted()
        let spread = targets.enumerated().map { index, target in
            let opening = openings[index * openings.count / targets.count]
            return InspectionVisit(target: target, delegation: opening.delegation, date: opening.date, slot: opening.slot)
        }
        return (pinned + spread).sorted { ($0.date, $0.slot, $0.delegation, $0.target) < ($1.date, $1.slot, $1.delegation, $1.target) }
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
        var pinned = Set<Int64>()
        for pin in plan.pins {
            guard targets.contains(pin.target) else { throw .pinNotATarget(pin.target) }
            guard pinned.insert(pin.target).inserted else { throw .pinnedTwice(pin.target) }
            let off = pin.date.isWeekend || plan.holidays.contains { $0.first <= pin.date && pin.date <= $0.last }
            guard plan.firstDay <= pin.date, pin.date <= plan.lastDay, !off else { throw .pinOnDayOff(target: pin.target, date: pin.date) }
            if let slot = pin.slot, !plan.slots.contains(slot) { throw .pinOnDayOff(target: pin.target, date: pin.date) }
        }
        let holidays = plan.holidays.sorted { $0.first < $1.first }
        for holiday in holidays where holiday.last < holiday.first { throw .holidayEndsBeforeItStarts(holiday.name) }
        for (earlier, later) in zip(holidays, holidays.dropFirst()) where later.first <= earlier.last {
            throw .overlappingHolidays(earlier.name, later.name)
        }
    }
}
