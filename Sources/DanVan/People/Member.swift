public import PostgresClient

/// A person serving on a body (a steering committee, a Ban Dân vận) in a position, for
/// the days they serve: Bình Sa's Ban Chỉ đạo had 21, each assigned models to follow.
public struct Member: Sendable, Equatable {
    public let id: Int64
    public let unitID: Int64
    public let fullName: String
    /// "Phó Trưởng Ban Dân vận Huyện ủy"; empty when none was given.
    public let position: String
    public let validFrom: CivilDate
    public let validUntil: CivilDate?

    static let columns = """
        id, unit_id, full_name, position, to_char(valid_from, 'DD/MM/YYYY') AS valid_from, to_char(valid_until, 'DD/MM/YYYY') AS valid_until
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        unitID = try row.decode("unit_id")
        fullName = try row.decode("full_name")
        position = try row.decode("position")
        validFrom = try CivilDate(parsing: try row.decode("valid_from"))
        validUntil = try row.decode("valid_until", as: String?.self).map { try CivilDate(parsing: $0) }
    }

    /// How a document names them: "đồng chí Lê Văn Bình, Phó Trưởng Ban Dân vận Huyện ủy".
    public var styled: String { position.isEmpty ? "đồng chí \(fullName)" : "đồng chí \(fullName), \(position)" }
}

/// Why a member could not be added or assigned; nothing was stored.
public enum MemberError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(Int64)
    case notServing(member: Int64, on: CivilDate)
    case invalidText(DomainTextError)

    public var description: String {
        switch self {
        case .notFound(let id): "member \(id) does not exist"
        case .notServing(let member, let day): "member \(member) does not serve on \(day): assign someone serving that day"
        case .invalidText(let error): error.description
        }
    }
}
