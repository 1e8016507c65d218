/// Why a change to the unit tree was refused; nothing was changed.
public enum UnitChangeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The unit's last change of this kind is after the day given.
    case beforeLastChange(Int64, last: CivilDate)
    case alreadyThere(Int64, parent: Int64)
    case underItself(Int64)
    case nothingToMerge
    case ownSuccessor(Int64)
    case kindsDiffer(Int64, OrgUnit.Kind, successor: OrgUnit.Kind)
    /// Units still stand under the one being dissolved: their names.
    case unitsStillUnder(Int64, [String])

    public var description: String {
        switch self {
        case .beforeLastChange(let id, let last):
            "unit \(id) last changed on \(last): date this change on or after it (history is added to, not rewritten)"
        case .alreadyThere(let id, let parent): "unit \(id) already stands under unit \(parent)"
        case .underItself(let id): "unit \(id) cannot move under itself or a unit below it"
        case .nothingToMerge: "name each unit to merge once, and at least one"
        case .ownSuccessor(let id): "unit \(id) cannot be its own successor"
        case .kindsDiffer(let id, let kind, let successor):
            "unit \(id) is a \(kind.rawValue) and cannot merge into a \(successor.rawValue): merge units of one kind"
        case .unitsStillUnder(let id, let names):
            "units still stand under unit \(id) (\(names.joined(separator: ", "))): move or merge them first"
        }
    }
}
