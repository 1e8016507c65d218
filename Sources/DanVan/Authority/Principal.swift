/// Who is acting: an official of one unit with a role, or an operator of the system.
///
/// Every door (the HTTP API, the CLI, the demo, the domain's own jobs) names its
/// principal when it asks `Authority` or a domain call that changes records, so one
/// rule decides for all of them.
public struct Principal: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// What a principal may do. Each unit role includes the ones before it; an
    /// operator may do everything, for every unit.
    public enum Role: String, Sendable, CaseIterable, Comparable, Codable {
        /// Reads within its unit's subtree.
        case viewer
        /// Also submits and changes work within it.
        case editor
        /// Also manages its subtree's webhooks and tokens.
        case admin
        /// Runs the system: queues, every job, every unit. Not tied to a unit.
        case `operator`

        public static func < (lhs: Role, rhs: Role) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// The API token acting, when the principal came from one.
    public let tokenID: Int64?
    /// The unit it acts for; nil for an operator.
    public let unitID: Int64?
    public let role: Role

    /// An official of `unit` holding `role` (viewer, editor or admin).
    public static func unit(_ unit: Int64, _ role: Role, token: Int64? = nil) -> Principal {
        precondition(role != .operator, "an operator acts for no unit: use Principal.operator")
        return Principal(tokenID: token, unitID: unit, role: role)
    }

    /// An operator, through an API token.
    public static func `operator`(token: Int64?) -> Principal {
        Principal(tokenID: token, unitID: nil, role: .operator)
    }

    /// The system itself: the CLI run by whoever holds the database's credentials, the
    /// domain's jobs and the demo's script. An operator by authority.
    public static let system = Principal(tokenID: nil, unitID: nil, role: .operator)

    public var isOperator: Bool { role == .operator }

    public var description: String {
        if let unitID { return "\(role.rawValue) of unit \(unitID)" }
        return tokenID == nil ? "the system" : "operator"
    }

    init(tokenID: Int64?, unitID: Int64?, role: Role) {
        self.tokenID = tokenID
        self.unitID = unitID
        self.role = role
    }
}
