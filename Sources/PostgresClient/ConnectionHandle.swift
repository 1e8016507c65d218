internal import CLibPQ
#if canImport(Glibc)
internal import Glibc
#endif

/// Owns one libpq connection (`PGconn`) and everything that goes with it.
///
/// libpq allows one thread at a time on a connection. A handle is therefore only ever
/// reachable from one place: the pool's idle list (behind the pool's lock) or the one
/// non-Sendable `PostgresConnection` lent to a borrower, which cannot leave that
/// borrower's thread. That confinement is what makes `@unchecked Sendable` sound: the
/// handle is moved between threads, never shared by them.
final class ConnectionHandle: @unchecked Sendable {
    let raw: OpaquePointer
    let id: Int
    /// Names of statements already prepared on this server session.
    var prepared: Set<String> = []
    /// Whether a pooler lends the server session per transaction (see `PoolMode`).
    let poolMode: PoolMode
    /// Under `.transaction`: the settings each transaction of this connection starts
    /// with (`PostgresConnection.use(settings:)`), bound once as the names and values
    /// of `PostgresConnection.setLocal`.
    var transactionSettings: ParameterBindings?
    /// How many transaction blocks (BEGIN, then savepoints) are open.
    var transactionDepth = 0
    /// Set once the connection has failed in a way that makes it unusable.
    private(set) var isBroken = false

    private init(raw: OpaquePointer, id: Int, poolMode: PoolMode) {
        self.raw = raw
        self.id = id
        self.poolMode = poolMode
    }

    deinit { PQfinish(raw) }

    /// Opens a connection, blocking up to the configuration's connect timeout.
    static func connect(_ configuration: PostgresConfiguration, id: Int) throws(PostgresError) -> ConnectionHandle {
        var pairs = configuration.libpqParameters
        pairs.append(("client_encoding", "UTF8"))
        let keywords = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let raw: OpaquePointer? = (keywords + [nil]).map { UnsafePointer($0) }.withUnsafeBufferPointer { keys in
            (values + [nil]).map { UnsafePointer($0) }.withUnsafeBufferPointer { vals in
                PQconnectdbParams(keys.baseAddress, vals.baseAddress, 0)
            }
        }
        guard let raw else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection (out of memory)")
        }
        guard PQstatus(raw) == CONNECTION_OK else {
            let message = lastMessage(raw)
            PQfinish(raw)
            throw classifyConnectFailure(message, configuration: configuration)
        }
        let handle = ConnectionHandle(raw: raw, id: id, poolMode: configuration.poolMode)
        handle.receiveNotices()
        return handle
    }

    /// Routes the server's notices to `noticeReceived` instead of libpq's default,
    /// which prints them on standard error. The handle outlives the receiver: the
    /// receiver belongs to `raw`, which `deinit` finishes.
    private func receiveNotices() {
        PQsetNoticeReceiver(raw, { context, result in
            guard let context, let result else { return }
            Unmanaged<ConnectionHandle>.fromOpaque(context).takeUnretainedValue().noticeReceived(result)
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// A FATAL or PANIC arriving while the connection idles is the server ending the
    /// session (terminated backend, shutdown); libpq reports it as a notice, so this is
    /// where such a connection learns it is dead. Other notices are dropped.
    private func noticeReceived(_ result: OpaquePointer) {
        guard let severity = PQresultErrorField(result, Int32(UInt8(ascii: "V"))) else { return }
        let level = String(cString: severity)
        if level == "FATAL" || level == "PANIC" { markBroken() }
    }

    /// Whether the connection can be handed out: open, outside any transaction, and
    /// with no unread bytes that mean the server hung up (a terminated backend or a
    /// restarting server sends an error and closes the socket while the connection idles).
    func isReusable() -> Bool {
        guard !isBroken, PQstatus(raw) == CONNECTION_OK, PQtransactionStatus(raw) == PQTRANS_IDLE else {
            return false
        }
        var descriptor = pollfd(fd: PQsocket(raw), events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) > 0 else { return true }
        // Readable while idle: notifications (harmless) or the server hanging up, which
        // sends a FATAL error (seen by the notice receiver once parsed) and closes.
        if PQconsumeInput(raw) == 0 || PQisBusy(raw) != 0 || isBroken || PQstatus(raw) != CONNECTION_OK {
            markBroken()
            return false
        }
        return true
    }

    func markBroken() { isBroken = true }

    /// Turns a libpq result into a `PostgresResult` or the matching error, freeing it on error.
    func check(_ result: OpaquePointer?, statement: String?) throws(PostgresError) -> PostgresResult {
        guard let result else {
            throw connectionError(statement: statement)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresResult(raw: result)
        default:
            let error = serverError(result, statement: statement)
            PQclear(result)
            throw error
        }
    }

    /// The error for a failed result, as a connection loss if the connection died with it.
    func serverError(_ result: OpaquePointer, statement: String?) -> PostgresError {
        func field(_ code: Int32) -> String? {
            guard let value = PQresultErrorField(result, code) else { return nil }
            return String(cString: value)
        }
        let sqlState = field(Int32(UInt8(ascii: "C")))
        var message = field(Int32(UInt8(ascii: "M")))
            ?? Self.lastMessage(raw).oneLine()
        if message.isEmpty { message = "the statement failed without a message" }
        if PQstatus(raw) != CONNECTION_OK {
            markBroken()
            return PostgresError(
                code: .connectionLost,
                message: "the connection to the server was lost: \(message)",
                sqlState: sqlState,
                hint: "the server restarted or ended this session; the connection was discarded, retry on a new one",
                statement: statement
            )
        }
        return PostgresError(
            code: .server,
            message: message,
            sqlState: sqlState,
            detail: field(Int32(UInt8(ascii: "D"))),
            hint: field(Int32(UInt8(ascii: "H"))),
            statement: statement
        )
    }

    /// The error when libpq returned no result at all: the connection failed mid-call.
    func connectionError(statement: String?) -> PostgresError {
        markBroken()
        return PostgresError(
            code: .connectionLost,
            message: "the connection to the server was lost: \(Self.lastMessage(raw).oneLine())",
            hint: "the server restarted or the network failed; the connection was discarded, retry on a new one",
            statement: statement
        )
    }

    static func lastMessage(_ raw: OpaquePointer) -> String {
        guard let message = PQerrorMessage(raw) else { return "" }
        return String(cString: message).oneLine()
    }

    /// Gives a failed connection attempt a code and advice. libpq reports these as text
    /// only (no SQLSTATE before the session exists), so the text is what we have.
    private static func classifyConnectFailure(_ message: String, configuration: PostgresConfiguration) -> PostgresError {
        let target = configuration.description
        if message.contains("password authentication failed") || message.contains("no password supplied")
            || message.contains("authentication failed")
        {
            return PostgresError(
                code: .authenticationFailed,
                message: "the server at \(target) refused the login: \(message)",
                hint: "check the user name and password in DATABASE_URL (percent-encode special characters)"
            )
        }
        if message.contains("database \""), message.contains("does not exist") {
            return PostgresError(
                code: .databaseNotFound,
                message: "the server at \(target) has no such database: \(message)",
                hint: "create it (createdb NAME, or CREATE DATABASE) or fix the database name in DATABASE_URL"
            )
        }
        return PostgresError(
            code: .connectionFailed,
            message: "could not connect to \(target): \(message)",
            hint: "check that PostgreSQL is running and that host and port in DATABASE_URL are right; `kheo db start` runs a local one"
        )
    }
}

extension String {
    /// libpq's messages end in a newline and continue on tab-indented lines; as one
    /// line they fit a log entry and an error description.
    func oneLine() -> String {
        var text = Substring(self)
        while let last = text.last, last.isNewline || last == " " { text = text.dropLast() }
        return String(text.map { $0 == "\n" || $0 == "\t" ? " " : $0 })
    }
}
