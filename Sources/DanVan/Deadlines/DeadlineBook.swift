public import PostgresClient

/// Creates deadlines and closes them (met, withdrawn). Reminders and escalation are
/// jobs (`DeadlineJobs`) that read this table; a deadline closed before a reminder's
/// time sends nothing.
public struct DeadlineBook: Sendable {
    public init() {}

    public func create(
        for unit: Int64, kind: Deadline.Kind, title: String, due: CivilDate, on executor: some PostgresExecutor
    ) throws -> Deadline {
        let cleaned: String
        do {
            cleaned = try DomainText.clean(title, field: "deadline title")
        } catch {
            throw DeadlineError.invalidText(error)
        }
        do {
            return try Deadline(row: executor.query(
                "INSERT INTO danvan.deadlines (unit_id, kind, title, due_on) VALUES ($1, $2::danvan.deadline_kind, $3, $4::date) RETURNING \(Deadline.columns)",
                unit, kind.rawValue, cleaned, due.iso
            ).single())
        } catch let error as PostgresError {
            guard error.sqlState == "23503" else { throw error }
            throw DeadlineError.unitNotFound(unit)
        }
    }

    /// Marks an open (or overdue) deadline met on `day`.
    public func meet(_ id: Int64, on day: CivilDate, on executor: some PostgresExecutor) throws -> Deadline {
        try close(id, executor: executor, sql: """
            UPDATE danvan.deadlines SET status = 'met', met_on = $2::date
            WHERE id = $1 AND status IN ('open', 'overdue') RETURNING \(Deadline.columns)
            """, day.iso)
    }

    /// Withdraws an open deadline: no reminder or escalation follows.
    public func withdraw(_ id: Int64, on executor: some PostgresExecutor) throws -> Deadline {
        try close(id, executor: executor, sql: """
            UPDATE danvan.deadlines SET status = 'withdrawn', withdrawn_at = now()
            WHERE id = $1 AND status = 'open' RETURNING \(Deadline.columns)
            """)
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
