public import PostgresClient

/// A conference, training or document a unit reported.
public struct Activity: Sendable, Equatable {
    public let id: Int64
    public let unitID: Int64
    public let kind: ActivityLog.Kind
    public let title: String
    public let heldOn: CivilDate
    public let sessions: Int
    public let attendees: Int

    static let columns = """
        id, unit_id, kind::text AS kind, title, to_char(held_on, 'DD/MM/YYYY') AS held_on, sessions, attendees
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        unitID = try row.decode("unit_id")
        kind = ActivityLog.Kind(rawValue: try row.decode("kind")) ?? .document
        title = try row.decode("title")
        heldOn = try CivilDate(parsing: try row.decode("held_on"))
        sessions = Int(try row.decode("sessions", as: Int32.self))
        attendees = Int(try row.decode("attendees", as: Int32.self))
    }
}

extension ActivityLog {
    public func find(_ id: Int64, on executor: some PostgresExecutor) throws -> Activity? {
        try executor.query("SELECT \(Activity.columns) FROM danvan.activities WHERE id = $1", id).first.map(Activity.init(row:))
    }

    /// Activities of `unit` and every unit under it, held within `from`…`to` when given,
    /// newest first; `before` pages by id.
    public func list(
        under unit: Int64, kind: Kind? = nil, from: CivilDate? = nil, to: CivilDate? = nil,
        before: Int64? = nil, limit: Int = 50, on executor: some PostgresExecutor
    ) throws -> [Activity] {
        try executor.query(
            """
            SELECT \(Activity.columns) FROM danvan.activities
            WHERE unit_id IN (SELECT id FROM danvan.units WHERE path @> ARRAY[$1::bigint])
              AND ($2::text IS NULL OR kind::text = $2) AND ($3::date IS NULL OR held_on >= $3::date)
              AND ($4::date IS NULL OR held_on <= $4::date) AND ($5::bigint IS NULL OR id < $5)
            ORDER BY id DESC LIMIT $6
            """,
            unit, kind?.rawValue, from?.iso, to?.iso, before, Int32(min(max(limit, 1), 1000))
        ).map(Activity.init(row:))
    }
}
