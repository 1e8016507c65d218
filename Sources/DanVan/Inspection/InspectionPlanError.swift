/// Why a plan was refused; nothing of it is stored. Each case names the fault so the
/// committee can fix the plan.
public enum InspectionPlanError: Error, Sendable, Equatable, CustomStringConvertible {
    case periodEndsBeforeItStarts(first: CivilDate, last: CivilDate)
    case noDelegation
    case noTarget
    case noSlot
    case slotListedTwice
    case invalidDailyLimit(Int)
    case delegationListedTwice(Int64)
    case delegationWithoutMembers(String)
    case leaderNotAMember(delegation: String, leader: String)
    case targetListedTwice(Int64)
    case holidayEndsBeforeItStarts(String)
    case overlappingHolidays(String, String)
    /// The plan does not fit: more units than visits the period allows.
    case doesNotFit(targets: Int, capacity: Int, workingDays: Int, first: CivilDate, last: CivilDate)
    /// A pin for a unit the plan does not visit, or a second pin for one unit.
    case pinNotATarget(Int64)
    case pinnedTwice(Int64)
    /// A pin on a day outside the period, a weekend or a holiday.
    case pinOnDayOff(target: Int64, date: CivilDate)
    /// No delegation is free on the pinned day and half-day.
    case pinNotPossible(target: Int64, date: CivilDate)

    public var description: String {
        switch self {
        case .periodEndsBeforeItStarts(let first, let last):
            "the period ends (\(last)) before it starts (\(first))"
        case .noDelegation: "the plan has no delegation"
        case .noTarget: "the plan names no unit to inspect"
        case .noSlot: "the plan allows neither mornings nor afternoons"
        case .slotListedTwice: "a half-day is listed twice"
        case .invalidDailyLimit(let limit): "a delegation's visits per day must be 1 or 2, not \(limit)"
        case .delegationListedTwice(let id): "delegation \(id) is listed twice"
        case .delegationWithoutMembers(let name): "delegation \"\(name)\" has no members"
        case .leaderNotAMember(let delegation, let leader):
            "the leader of delegation \"\(delegation)\", \(leader), is not one of its members"
        case .targetListedTwice(let id): "unit \(id) is listed twice; each unit is visited once"
        case .holidayEndsBeforeItStarts(let name): "the holiday \"\(name)\" ends before it starts"
        case .overlappingHolidays(let first, let second): "the holidays \"\(first)\" and \"\(second)\" overlap"
        case .doesNotFit(let targets, let capacity, let workingDays, let first, let last):
            "\(targets) units cannot be visited between \(first) and \(last): \(workingDays) working day(s) allow \(capacity) visit(s) with these delegations and limits"
        case .pinNotATarget(let id): "unit \(id) is pinned to a day but is not among the units the plan visits"
        case .pinnedTwice(let id): "unit \(id) is pinned twice; pin each unit to one day"
        case .pinOnDayOff(let target, let date):
            "unit \(target) is pinned to \(date), which is outside the plan's days, a weekend or a holiday"
        case .pinNotPossible(let target, let date):
            "unit \(target) is pinned to \(date), but no delegation is free then within its daily limit: pin another day or half-day"
        }
    }
}
