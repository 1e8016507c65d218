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
        try executeUnnamed(sql, try ParameterBindings(parameters), statement: nil)
    }

    /// Runs a prepared statement, preparing it on this connection the first time.
    ///
    /// If the server has forgotten the statement (a `DISCARD ALL` by someone else),
    /// it is prepared again and the call retried once.
    /// Under a transaction pooler (`PoolMode.transaction`) the statement is sent unnamed
    /// and planned on every call, since the next call may reach another server session.
    public func query(_ statement: PreparedStatement, _ parameters: [any PostgresEncodable]) throws(PostgresError) -> PostgresResult {
        let bindings = try ParameterBindings(parameters)
        if handle.poolMode == .transaction { return try executeUnnamed(statement.sql, bindings, statement: statement.name) }
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

    /// Throws unless this connection keeps its server session between transactions:
    /// `what` (LISTEN, a session advisory lock) would otherwise be left on a session
    /// the pooler hands to someone else.
    public func requireSession(for what: String) throws(PostgresError) {
        guard handle.poolMode == .session else {
            throw PostgresError(
                code: .invalidConfiguration,
                message: "\(what) needs a server session of its own, and this connection goes through a transaction pooler (pool_mode=transaction)",
                hint: "connect to PostgreSQL itself (or a session-mode pool) for this: drop pool_mode=transaction from that URL"
            )
        }
    }

    /// Settings every statement on this connection runs with, such as the worker's
    /// `enable_seqscan = off`. On a session of its own they are set once, for the
    /// session. Under a transaction pooler they are set again in each transaction
    /// (`set_config(…, true)`, i.e. `SET LOCAL`): a single statement goes in one
    /// pipeline behind them, one round trip; `transaction(_:)` sets them after BEGIN.
    /// Names and values are program text, never user input.
    public func use(settings: [String: String]) throws(PostgresError) {
        let sorted = settings.sorted { $0.key < $1.key }
        let bindings = try ParameterBindings([sorted.map(\.key), sorted.map(\.value)])
        switch handle.poolMode {
        case .session: _ = try executeUnnamed(Self.setForSession, bindings, statement: nil)
        case .transaction: handle.transactionSettings = sorted.isEmpty ? nil : bindings
        }
    }

    static let setForSession = "SELECT set_config(s.name, s.value, false) FROM unnest($1::text[], $2::text[]) AS s(name, value)"
    static let setLocal = "SELECT set_config(s.name, s.value, true) FROM unnest($1::text[], $2::text[]) AS s(name, value)"

    /// Under a transaction pooler, right after BEGIN: this transaction's settings.
    func applyTransactionSettings() throws(PostgresError) {
        guard let settings = handle.transactionSettings else { return }
        _ = try executeUnnamed(Self.setLocal, settings, statement: nil)
    }

    /// One statement with the unnamed statement (parse, bind, execute, sync), behind
    /// this connection's transaction settings when it runs in a transaction of its own.
    private func executeUnnamed(_ sql: String, _ bindings: ParameterBindings, statement: String?) throws(PostgresError) -> PostgresResult {
        if let settings = handle.transactionSettings, PQtransactionStatus(handle.raw) == PQTRANS_IDLE {
            return try executeBehindSettings(settings, sql, bindings, statement: statement)
        }
        let result = bindings.withValues { values in
            bindings.types.withUnsafeBufferPointer { types in
                PQexecParams(handle.raw, sql, bindings.count, types.baseAddress, values, nil, nil, 1)
            }
        }
        return try handle.check(result, statement: statement)
    }

    /// Sends the transaction settings and the statement as one pipeline ending in one
    /// Sync: the server runs both in one implicit transaction, so the settings hold
    /// while the statement is planned and run and end with it, and the pooler keeps
    /// one server session for the two. One round trip, as without settings.
    private func executeBehindSettings(
        _ settings: ParameterBindings, _ sql: String, _ bindings: ParameterBindings, statement: String?
    ) throws(PostgresError) -> PostgresResult {
        let raw = handle.raw
        func send(_ text: String, _ parameters: ParameterBindings) -> Bool {
            parameters.withValues { values in
                parameters.types.withUnsafeBufferPointer { types in
                    PQsendQueryParams(raw, text, parameters.count, types.baseAddress, values, nil, nil, 1)
                }
            } == 1
        }
        guard PQenterPipelineMode(raw) == 1 else { throw handle.connectionError(statement: statement) }
        var results: [OpaquePointer] = []
        var complete = false
        if send(Self.setLocal, settings), send(sql, bindings), PQpipelineSync(raw) == 1 {
            // Each query's results end with a NULL; the pipeline ends with its Sync.
            // Two NULLs in a row mean the connection failed before the Sync came.
            var previousWasEnd = false
            while true {
                guard let result = PQgetResult(raw) else {
                    if previousWasEnd || PQstatus(raw) != CONNECTION_OK { break }
                    previousWasEnd = true
                    continue
                }
                previousWasEnd = false
                if PQresultStatus(result) == PGRES_PIPELINE_SYNC {
                    PQclear(result)
                    complete = true
                    break
                }
                results.append(result)
            }
        }
        if PQexitPipelineMode(raw) != 1 { complete = false }
        defer { results.forEach { PQclear($0) } }
        if let failed = results.first(where: {
            let status = PQresultStatus($0)
            return status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && status != PGRES_PIPELINE_ABORTED
        }) {
            let error = handle.serverError(failed, statement: statement)
            if !complete { handle.markBroken() }
            throw error
        }
        guard complete, results.count == 2 else { throw handle.connectionError(statement: statement) }
        // The statement's result outlives this call: take it out of the list cleared above.
        return PostgresResult(raw: results.removeLast())
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
