/// Why a unit could not be created or found; nothing was stored.
public enum UnitError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(Int64)
    case parentNotAllowed(child: OrgUnit.Kind, parent: OrgUnit.Kind, on: CivilDate?)
    /// The unit did not stand on that day (`nil`: as far back as the records go).
    case notStanding(Int64, on: CivilDate?)
    case provinceWithParent
    case parentMissing(OrgUnit.Kind)
    case duplicateName(name: String, parent: Int64?)
    case unknownKind(String)
    case invalidName(DomainTextError)
    /// A code that is empty, longer than 40 characters, or holds other than letters,
    /// digits and `-_./`.
    case invalidCode(String)
    /// Another standing unit already bears the code.
    case duplicateCode(String)
    /// A cluster's member cannot be added: why, in the reader's words.
    case invalidMember(String)

    public var description: String {
        switch self {
        case .notFound(let id): "unit \(id) does not exist"
        case .parentNotAllowed(let child, let parent, let day):
            "a \(child.rawValue) cannot be placed under a \(parent.rawValue)\(day.map { " from \($0)" } ?? ""): "
                + "until 30/06/2025 province → district → commune → hamlet, from 01/07/2025 province → commune → hamlet; "
                + "organisations attach to a province, district or commune"
        case .notStanding(let id, let day):
            day.map { "unit \(id) does not stand on \($0): give a day within its span" }
                ?? "unit \(id) has not always stood: give the day the new unit starts"
        case .provinceWithParent: "a province is a root: it has no parent unit"
        case .parentMissing(let kind): "a \(kind.rawValue) needs a parent unit"
        case .duplicateName(let name, let parent):
            "a unit named \"\(name)\" of that kind already exists under \(parent.map { "unit \($0)" } ?? "no parent")"
        case .unknownKind(let kind): "unknown unit kind \"\(kind)\""
        case .invalidName(let error): error.description
        case .invalidCode(let code):
            "unit code \"\(code.prefix(60))\" is not valid: 1 to 40 letters, digits or - _ . /"
        case .duplicateCode(let code): "another standing unit already has the code \"\(code)\""
        case .invalidMember(let why): why
        }
    }
}
