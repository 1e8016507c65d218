/// Why `Authority` refused. A refusal names nothing of a unit outside the caller's
/// subtree: `.notFound` reads the same as a record that does not exist.
public enum AuthorityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The record (what, id) does not exist or lies outside the caller's subtree.
    case notFound(what: String, id: Int64)
    /// The caller sees the record but its role is too low for the action.
    case roleTooLow(needed: Principal.Role, held: Principal.Role)
    /// The caller sees the record but the action belongs to another unit: says whose.
    case notYours(String)

    public var description: String {
        switch self {
        case .notFound(let what, let id): "no \(what) \(id) within your unit"
        case .roleTooLow(let needed, let held):
            "this needs a token with the \(needed.rawValue) role; this one is \(held.rawValue)"
        case .notYours(let rule): rule
        }
    }
}
