internal import CLibPQ
public import Logging

/// One session with PostgreSQL, used by one thread at a time.
///
/// Deliberately not `Sendable`: the compiler keeps a connection on the thread that
/// holds it, which is the rule libpq sets. Get one from a `PostgresConnectionPool`
/// (`withConnection`) or open one of your own with `connect(to:logger:)`.
///
/// Every call blocks its thread until the server answers; run it on a Dispatch queue
/// or a thread of its own, not on a cooperative async executor.
public final class PostgresConnection: PostgresExecutor {
    let handle: ConnectionHandle
    public let logger: Logger

    init(handle: ConnectionHandle, logger: Logger) {
        self.handle = handle
        self.logger = logger
    }

    /// Opens a connection that the caller owns; it closes when released.
    public static func connect(
        to configuration: PostgresConfiguration,
        logger: Logger = Logger(label: "kheo.postgres")
    ) throws(PostgresError) -> PostgresConnection {
        PostgresConnection(handle: try ConnectionHandle.connect(configuration, id: 0), logger: logger)
    }

    /// Whether the connection is still usable (open and not known to be broken).
    public var isOpen: Bool { !handle.isBroken && PQstatus(handle.raw) == CONNECTION_OK }

    /// The server process serving this session (`pg_backend_pid()`).
    public var backendPID: Int32 { PQbackendPID(handle.raw) }

    /// Runs one statement with parameters `$1, $2, …`; results come in binary format.
    public func query(_ sql: String, _ parameters: [any PostgresEncodable]) throws(PostgresError) -> PostgresResult {
        let bindings = try ParameterBindings(parameters)
        let result = bindings.withValues { values in
            bindings.types.withUnsafeBufferPointer { types in
                PQexecParams(handle.raw, sql, bindings.count, types.baseAddress, values, nil, nil, 1)
            }
        }
        return try handle.check(result, statement: nil)
    }

    /// Runs a prepared statement, preparing it on this connection the first time.
    ///
    /// If the server has forgotten the statement (a `DISCARD ALL` by someone else),
    /// it is prepared again and the call retried once.
    public func query(_ statement: PreparedStatement, _ parameters: [any PostgresEncodable]) throws(PostgresError) -> PostgresResult {
        let bindings = try ParameterBindings(parameters)
        if !handle.prepared.contains(statement.name) { try prepare(statement, types: bindings.types) }
        do {
            return try executePrepared(statement, bindings)
        } catch let error where error.sqlState == "26000" {
            handle.prepared.remove(statement.name)
            try prepare(statement, types: bindings.types)
            return try executePrepared(statement, bindings)
        }
    }

    /// Runs SQL text that may hold several statements, with no parameters and no rows back.
    ///
    /// For trusted program text only (migrations, fixed maintenance scripts): it cannot
    /// take parameters, so it must never be built from user input.
    public func execute(script sql: String) throws(PostgresError) {
        _ = try handle.check(PQexec(handle.raw, sql), statement: nil)
    }

    /// Quotes a name (table, channel, role) as an SQL identifier, escaping as needed.
    /// For the rare statements that cannot take a parameter (LISTEN, CREATE DATABASE).
    public func quoteIdentifier(_ name: String) throws(PostgresError) -> String {
        guard !name.utf8.contains(0), let quoted = PQescapeIdentifier(handle.raw, name, name.utf8.count) else {
            throw PostgresError(code: .encoding, message: "the name cannot be used as an SQL identifier")
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    private func prepare(_ statement: PreparedStatement, types: [Oid]) throws(PostgresError) {
        let result = types.withUnsafeBufferPointer { types in
            PQprepare(handle.raw, statement.name, statement.sql, Int32(types.count), types.baseAddress)
        }
        _ = try handle.check(result, statement: statement.name)
        handle.prepared.insert(statement.name)
    }

    private func executePrepared(_ statement: PreparedStatement, _ bindings: ParameterBindings) throws(PostgresError) -> PostgresResult {
        let result = bindings.withValues { values in
            PQexecPrepared(handle.raw, statement.name, bindings.count, values, nil, nil, 1)
        }
        return try handle.check(result, statement: statement.name)
    }
}
