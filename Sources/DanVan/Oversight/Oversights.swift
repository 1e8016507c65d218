public import PostgresClient

/// An inspection (kiểm tra) or supervision (giám sát) of party organisations and party
/// members by a unit's Ban Dân vận or committee, as its reports count them: "Tổ chức 14
/// cuộc kiểm tra, giám sát đối với 18 tổ chức đảng và 11 đảng viên". Not the visits of
/// an inspection plan (`InspectionPlans`), which check a commune's work on the movement.
public struct Oversight: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case inspection, supervision

        public var vietnamese: String { self == .inspection ? "kiểm tra" : "giám sát" }
    }

    public let id: Int64
    public let unitID: Int64
    public let kind: Kind
    public let heldOn: CivilDate
    public let title: String
    /// The organisations overseen (units under `unitID`).
    public let organisations: [Int64]
    /// The party members overseen, by name.
    public let partyMembers: [String]
}

/// Why an oversight was refused; nothing was stored.
public enum OversightError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidText(DomainTextError)
    case noSubject
    /// An organisation that does not lie under the overseeing unit.
    case notUnder(organisation: Int64, unit: Int64)

    public var description: String {
        switch self {
        case .invalidText(let error): error.description
        case .noSubject: "name at least one organisation or party member overseen"
        case .notUnder(let organisation, let unit): "unit \(organisation) does not lie under unit \(unit), which holds the oversight"
        }
    }
}

/// Records and lists oversights; recording asks `Authority` for `.recordOversight` on
/// the unit that holds it, and every organisation must lie under that unit.
public struct Oversights: Sendable {
    public init() {}

    public func record(
        _ kind: Oversight.Kind, by unitID: Int64, on day: CivilDate, title: String, organisations: [Int64], partyMembers: [String],
        principal: Principal, in connection: PostgresConnection
    ) throws -> Oversight {
        guard try UnitDirectory().find(unitID, on: connection) != nil else { throw UnitError.notFound(unitID) }
        try Authority.require(.recordOversight, by: principal, on: .record("oversight", 0, unit: unitID), in: connection)
        let cleanedTitle: String
        var members: [String] = []
        do {
            cleanedTitle = try DomainText.clean(title, field: "title", maxLength: 500)
            for name in partyMembers {
                let cleaned = try DomainText.clean(name, field: "party member's name", maxLength: 200)
                if !members.contains(cleaned) { members.append(cleaned) }
            }
        } catch {
            throw OversightError.invalidText(error)
        }
        let organisations = Array(Set(organisations)).sorted()
        guard !organisations.isEmpty || !members.isEmpty else { throw OversightError.noSubject }
        let under = Set(try connection.query(
            "SELECT id FROM danvan.units WHERE id = ANY ($1::bigint[]) AND path @> ARRAY[$2::bigint] AND id <> $2", organisations, unitID
        ).map { try $0.decode("id", as: Int64.self) })
        if let outside = organisations.first(where: { !under.contains($0) }) { throw OversightError.notUnder(organisation: outside, unit: unitID) }
        let id: Int64 = try connection.query(
            "INSERT INTO danvan.oversights (unit_id, kind, held_on, title) VALUES ($1, $2::danvan.oversight_kind, $3::date, $4) RETURNING id",
            unitID, kind.rawValue, day.iso, cleanedTitle
        ).single().decode("id")
        try connection.query(
            "INSERT INTO danvan.oversight_organisations (oversight_id, unit_id) SELECT $1, unnest($2::bigint[])", id, organisations
        )
        try connection.query(
            "INSERT INTO danvan.oversight_party_members (oversight_id, full_name) SELECT $1, unnest($2::text[])", id, members
        )
        return Oversight(id: id, unitID: unitID, kind: kind, heldOn: day, title: cleanedTitle, organisations: organisations, partyMembers: members)
    }

    /// The oversights held by `unit` and the units under it, newest first.
    public func list(under unitID: Int64, limit: Int = 100, on executor: some PostgresExecutor) throws -> [Oversight] {
        try executor.query(
            """
            SELECT o.id, o.unit_id, o.kind::text AS kind, to_char(o.held_on, 'DD/MM/YYYY') AS held_on, o.title,
                   ARRAY(SELECT unit_id FROM danvan.oversight_organisations WHERE oversight_id = o.id ORDER BY unit_id) AS organisations,
                   ARRAY(SELECT full_name FROM danvan.oversight_party_members WHERE oversight_id = o.id ORDER BY full_name) AS members
            FROM danvan.oversights AS o JOIN danvan.units AS u ON u.id = o.unit_id
            WHERE u.path @> ARRAY[$1::bigint]
            ORDER BY o.held_on DESC, o.id DESC LIMIT $2
            """,
            unitID, Int32(clamping: limit)
        ).map { row in
            Oversight(
                id: try row.decode("id"), unitID: try row.decode("unit_id"), kind: Oversight.Kind(rawValue: try row.decode("kind")) ?? .inspection,
                heldOn: try CivilDate(parsing: try row.decode("held_on")), title: try row.decode("title"),
                organisations: try row.decode("organisations"), partyMembers: try row.decode("members")
            )
        }
    }
}
