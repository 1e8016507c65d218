public import PostgresClient

extension CivilDate {
    /// The domain's today, `danvan.today()`: the demo's simulated clock when it runs,
    /// otherwise the date on Vietnam's wall clock (Asia/Ho_Chi_Minh). Every door and
    /// job that needs "today" asks the database, so the demo's year moves them all.
    public static func today(on executor: some PostgresExecutor) throws -> CivilDate {
        try CivilDate(parsing: try executor.query("SELECT to_char(danvan.today(), 'DD/MM/YYYY') AS today").single().decode("today"))
    }
}
