public import PostgresClient

/// Creates deadlines and closes them (met, withdrawn). Reminders and escalation are
/// jobs (`DeadlineJobs`) that read this table; a deadline closed before a reminder's
/// time sends nothing.
///
/// Each change tells the people concerned, in the transaction that makes it: the
/// responsible unit learns of a new deadline (`deadline.assigned`) and of one withdrawn
/// (`deadline.withdrawn`); the unit above learns that one was met (`deadline.met`).
/// Where those units have webhooks, their delivery jobs commit with the change.
public struct DeadlineBook: Sendable {
    public init() {}

    /// Creates a deadline in its own transaction.
    public func create(
        for unit: Int64, kind: Deadline.Kind, title: String, due: CivilDate, announce: Bool = true, on pool: PostgresConnectionPool
    ) throws -> Deadline {
        try pool.transaction { connection in try create(for: unit, kind: kind, title: title, due: due, announce: announce, in: connection) }
    }

    /// Creates a deadline inside the caller's transaction. `announce: false` skips the
    /// unit's notice, for callers that tell the unit themselves (an inspection notice
    /// names its remedy deadline).
    public func create(
        for unit: Int64, kind: Deadline.Kind, title: String, due: CivilDate, announce: Bool = true, in connection: PostgresConnection
    ) throws -> Deadline {
        let cleaned: String
        do {
            cleaned = try DomainText.clean(title, field: "deadline title")
        } catch {
            throw DeadlineError.invalidText(error)
        }
        let deadline: Deadline
        do {
            deadline = try Deadline(row: connection.query(
                "INSERT INTO danvan.deadlines (unit_id, kind, title, due_on) VALUES ($1, $2::danvan.deadline_kind, $3, $4::date) RETURNING \(Deadline.columns)",
                unit, kind.rawValue, cleaned, due.iso
            ).single())
        } catch let error as PostgresError {
            guard error.sqlState == "23503" else { throw error }
            throw DeadlineError.unitNotFound(unit)
        }
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
    public func meet(_ id: Int64, on day: CivilDate, on pool: PostgresConnectionPool) throws -> Deadline {
        try pool.transaction { connection in try meet(id, on: day, in: connection) }
    }

    /// Marks an open (or overdue) deadline met on `day`, inside the caller's transaction,
    /// and tells the unit above.
    public func meet(_ id: Int64, on day: CivilDate, in connection: PostgresConnection) throws -> Deadline {
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
    public func withdraw(_ id: Int64, on pool: PostgresConnectionPool) throws -> Deadline {
        try pool.transaction { connection in try withdraw(id, in: connection) }
    }

    /// Withdraws an open deadline inside the caller's transaction and tells its unit.
    public func withdraw(_ id: Int64, in connection: PostgresConnection) throws -> Deadline {
        let deadline = try close(id, executor: connection, sql: """
            UPDATE danvan.deadlines SET status = 'withdrawn', withdrawn_at = now()
            WHERE id = $1 AND status = 'open' RETURNING \(Deadline.columns)
            """)
        try Notifications.post(
            to: deadline.unitID, kind: "deadline.withdrawn", title: "Rút nhiệm vụ: \(deadline.title)",
            body: "Nhiệm vụ \"\(deadline.title)\" (hạn \(deadline.dueOn)) đã được rút; đơn vị không phải thực hiện.",
            deadline: id, key: "withdrawn:\(id)", on: connection
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

    private func close(_ id: Int64, executor: some PostgresExecutor, sql: String, _ extra: any PostgresEncodable...) throws -> Deadline {
        if let row = try executor.query(sql, [id] + extra).first { return try Deadline(row: row) }
        guard let current = try find(id, on: executor) else { throw DeadlineError.notFound(id) }
        throw DeadlineError.notOpen(id: id, status: current.status)
    }
}
