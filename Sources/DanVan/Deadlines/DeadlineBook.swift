public import PostgresClient

/// Creates deadlines and closes them (met, withdrawn). Reminders and escalation are
/// jobs (`DeadlineJobs`) that read this table; a deadline closed before a reminder's
/// time sends nothing.
///
/// Each change is checked by `Authority` for the principal making it: a unit sets
/// deadlines within its subtree (and is recorded as their issuer), the assignee alone
/// marks one met, and only the issuer or a unit above it withdraws or moves one.
///
/// Each change tells the people concerned, in the transaction that makes it: the
/// responsible unit learns of a new deadline (`deadline.assigned`) and of one withdrawn
/// (`deadline.withdrawn`); the unit above learns that one was met (`deadline.met`).
/// Where those units have webhooks, their delivery jobs commit with the change.
public struct DeadlineBook: Sendable {
    public init() {}

    /// Creates a deadline in its own transaction.
    public func create(
        for unit: Int64, kind: Deadline.Kind, title: String, due: CivilDate, by principal: Principal, issuer: Int64? = nil,
        announce: Bool = true, campaign: Int64? = nil, on pool: PostgresConnectionPool
    ) throws -> Deadline {
        try pool.transaction { connection in
            try create(for: unit, kind: kind, title: title, due: due, by: principal, issuer: issuer, announce: announce, campaign: campaign, in: connection)
        }
    }

    /// Creates a deadline inside the caller's transaction. Its issuer is `issuer` when
    /// given (an inspection's remedy is issued by the inspecting unit), else the
    /// principal's unit, else (for the system) the top of the assignee's tree.
    /// `announce: false` skips the unit's notice, for callers that tell the unit
    /// themselves (an inspection notice names its remedy deadline).
    public func create(
        for unit: Int64, kind: Deadline.Kind, title: String, due: CivilDate, by principal: Principal, issuer: Int64? = nil,
        announce: Bool = true, campaign: Int64? = nil, in connection: PostgresConnection
    ) throws -> Deadline {
        try Authority.require(.createDeadline, by: principal, on: .unit(unit), in: connection)
        if let campaign { try CampaignCoverage.require(campaign, covers: unit, in: connection) }
        let cleaned: String
        do {
            cleaned = try DomainText.clean(title, field: "deadline title")
        } catch {
            throw DeadlineError.invalidText(error)
        }
        guard let row = try connection.query(
            """
            INSERT INTO danvan.deadlines (unit_id, issuer_unit_id, kind, title, due_on, campaign_id)
            SELECT u.id, coalesce($5::bigint, u.path[1]), $2::danvan.deadline_kind, $3, $4::date, $6 FROM danvan.units AS u WHERE u.id = $1
            RETURNING \(Deadline.columns)
            """,
            unit, kind.rawValue, cleaned, due.iso, issuer ?? principal.unitID, campaign
        ).first else { throw DeadlineError.unitNotFound(unit) }
        let deadline = try Deadline(row: row)
        if announce {
            try Notifications.post(
                to: unit, kind: "deadline.assigned", title: "Giao nhiệm vụ: \(cleaned)",
                body: "Đề nghị đơn vị thực hiện \"\(cleaned)\" (\(kind.vietnamese)), hạn chót \(due).",
                deadline: deadline.id, key: "assigned:\(deadline.id)", on: connection
            )
        }
        return deadline
    }

    /// Marks an open (or overdue) deadline met on `day`, in its own transaction.
    public func meet(_ id: Int64, on day: CivilDate, by principal: Principal, on pool: PostgresConnectionPool) throws -> Deadline {
        try pool.transaction { connection in try meet(id, on: day, by: principal, in: connection) }
    }

    /// Marks an open (or overdue) deadline met on `day`, inside the caller's transaction,
    /// and tells the unit above. Met after the due day, it is recorded as met late.
    public func meet(_ id: Int64, on day: CivilDate, by principal: Principal, in connection: PostgresConnection) throws -> Deadline {
        try authorise(.meetDeadline, id, by: principal, in: connection)
        let deadline = try close(id, executor: connection, sql: """
            UPDATE danvan.deadlines SET status = 'met', met_on = $2::date
            WHERE id = $1 AND status IN ('open', 'overdue') RETURNING \(Deadline.columns)
            """, day.iso)
        let unit = try connection.query("SELECT parent_id, name FROM danvan.units WHERE id = $1", deadline.unitID).single()
        if let parent = try unit.decode("parent_id", as: Int64?.self) {
            let name: String = try unit.decode("name")
            let late = day > deadline.dueOn ? " (trễ hạn \(deadline.dueOn))" : ""
            try Notifications.post(
                to: parent, kind: "deadline.met", title: "Đã hoàn thành: \(name)",
                body: "\(name) đã hoàn thành \"\(deadline.title)\" ngày \(day)\(late).",
                deadline: id, key: "met:\(id)", on: connection
            )
        }
        return deadline
    }

    /// Withdraws an open deadline, in its own transaction: no reminder or escalation follows.
    public func withdraw(_ id: Int64, by principal: Principal, on pool: PostgresConnectionPool) throws -> Deadline {
        try pool.transaction { connection in try withdraw(id, by: principal, in: connection) }
    }

    /// Withdraws an open deadline inside the caller's transaction and tells its unit.
    public func withdraw(_ id: Int64, by principal: Principal, in connection: PostgresConnection) throws -> Deadline {
        try authorise(.withdrawDeadline, id, by: principal, in: connection)
        let deadline = try close(id, executor: connection, sql: """
            UPDATE danvan.deadlines SET status = 'withdrawn', withdrawn_at = now()
            WHERE id = $1 AND status = 'open' RETURNING \(Deadline.columns)
            """)
        try Notifications.post(
            to: deadline.unitID, kind: "deadline.withdrawn", title: "Thu hồi nhiệm vụ: \(deadline.title)",
            body: "Nhiệm vụ \u{201C}\(deadline.title)\u{201D} (hạn \(deadline.dueOn)) đã được thu hồi. Đơn vị không phải thực hiện.",
            deadline: id, key: "withdrawn:\(id)", on: connection
        )
        return deadline
    }

    /// Moves an open (or overdue) deadline to `due`, in its own transaction.
    public func move(_ id: Int64, to due: CivilDate, by principal: Principal, on pool: PostgresConnectionPool) throws -> Deadline {
        try pool.transaction { connection in try move(id, to: due, by: principal, in: connection) }
    }

    /// Moves an open (or overdue) deadline to `due` (gia hạn, or brought forward) inside
    /// the caller's transaction, and tells its unit. Only its issuer or a unit above may.
    /// An overdue one moved to a later day is open again; the scan then reminds and
    /// escalates it for the new day, once each.
    public func move(_ id: Int64, to due: CivilDate, by principal: Principal, in connection: PostgresConnection) throws -> Deadline {
        try authorise(.moveDeadline, id, by: principal, in: connection)
        let deadline = try close(id, executor: connection, sql: """
            UPDATE danvan.deadlines SET due_on = $2::date, status = 'open', escalated_at = NULL
            WHERE id = $1 AND status IN ('open', 'overdue') RETURNING \(Deadline.columns)
            """, due.iso)
        try Notifications.post(
            to: deadline.unitID, kind: "deadline.moved", title: "Điều chỉnh hạn: \(deadline.title)",
            body: "Hạn thực hiện \"\(deadline.title)\" được điều chỉnh đến ngày \(due).",
            deadline: id, key: "moved:\(id):\(due.iso)", on: connection
        )
        return deadline
    }

    /// Deadlines of `unit` and every unit under it, newest first; `before` pages by id.
    public func list(
        under unit: Int64, status: Deadline.Status? = nil, before: Int64? = nil, limit: Int = 50, on executor: some PostgresExecutor
    ) throws -> [Deadline] {
        try executor.query(
            """
            SELECT \(Deadline.columns) FROM danvan.deadlines
            WHERE unit_id IN (SELECT id FROM danvan.units WHERE path @> ARRAY[$1::bigint])
              AND ($2::text IS NULL OR status::text = $2) AND ($3::bigint IS NULL OR id < $3)
            ORDER BY id DESC LIMIT $4
            """,
            unit, status?.rawValue, before, Int32(min(max(limit, 1), 1000))
        ).map(Deadline.init(row:))
    }

    public func find(_ id: Int64, on executor: some PostgresExecutor) throws -> Deadline? {
        try executor.query("SELECT \(Deadline.columns) FROM danvan.deadlines WHERE id = $1", id).first.map(Deadline.init(row:))
    }

    /// Refuses a change the principal may not make, and a deadline it cannot see as one
    /// that does not exist.
    private func authorise(_ action: Action, _ id: Int64, by principal: Principal, in connection: PostgresConnection) throws {
        guard let deadline = try find(id, on: connection) else { throw AuthorityError.notFound(what: "deadline", id: id) }
        try Authority.require(action, by: principal, on: .deadline(deadline), in: connection)
    }

    private func close(_ id: Int64, executor: some PostgresExecutor, sql: String, _ extra: any PostgresEncodable...) throws -> Deadline {
        if let row = try executor.query(sql, [id] + extra).first { return try Deadline(row: row) }
        guard let current = try find(id, on: executor) else { throw DeadlineError.notFound(id) }
        throw DeadlineError.notOpen(id: id, status: current.status)
    }
}
