/// Something that runs statements: a connection, or a pool that lends one per call.
///
/// Code that only needs to run statements takes an executor, so it works the same
/// inside a caller's transaction (pass the connection) or on its own (pass the pool).
public protocol PostgresExecutor {
    /// Runs one statement with parameters `$1, $2, …`.
    func query(_ sql: String, _ parameters: [any PostgresEncodable]) throws(PostgresError) -> PostgresResult
    /// Runs a named prepared statement.
    func query(_ statement: PreparedStatement, _ parameters: [any PostgresEncodable]) throws(PostgresError) -> PostgresResult
}

extension PostgresExecutor {
    /// Runs one statement; parameters are listed inline.
    @discardableResult
    public func query(_ sql: String, _ parameters: any PostgresEncodable...) throws(PostgresError) -> PostgresResult {
        try query(sql, parameters)
    }

    /// Runs a named prepared statement; parameters are listed inline.
    @discardableResult
    public func query(_ statement: PreparedStatement, _ parameters: any PostgresEncodable...) throws(PostgresError) -> PostgresResult {
        try query(statement, parameters)
    }
}
