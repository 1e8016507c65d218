/// The one error type of PostgresClient.
///
/// It carries what PostgreSQL said (SQLSTATE, message, detail, hint) and which named
/// statement failed, never the statement's parameter values or a password, so it can
/// be logged as is. `description` is short and safe to show a user; `debugDescription`
/// adds the server's detail line, which may quote row values (e.g. the key of a unique
/// violation) and belongs in operator logs only.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is; switch on it to decide what to do.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidConfiguration
            case connectionFailed
            case authenticationFailed
            case databaseNotFound
            case connectionLost
            case server
            case decoding
            case encoding
            case poolTimeout
            case poolClosed
            case transactionMisuse
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The connection URL or a setting is malformed; nothing was attempted.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The server could not be reached (refused, timed out, unknown host, no socket).
        public static let connectionFailed = Code(.connectionFailed)
        /// The server rejected the user name or password.
        public static let authenticationFailed = Code(.authenticationFailed)
        /// The server is up but the named database does not exist.
        public static let databaseNotFound = Code(.databaseNotFound)
        /// An established connection broke (server restart, terminated backend, network loss).
        /// The connection is discarded; retrying on a fresh one is safe for idempotent work.
        public static let connectionLost = Code(.connectionLost)
        /// The server refused a statement; `sqlState` says why.
        public static let server = Code(.server)
        /// A result column could not be decoded as the Swift type asked for.
        public static let decoding = Code(.decoding)
        /// A parameter could not be sent (e.g. text holding a NUL byte).
        public static let encoding = Code(.encoding)
        /// No pooled connection became free within the checkout timeout.
        public static let poolTimeout = Code(.poolTimeout)
        /// The pool was closed; no more connections are handed out.
        public static let poolClosed = Code(.poolClosed)
        /// A transaction was committed, rolled back or nested in a way that cannot work.
        public static let transactionMisuse = Code(.transactionMisuse)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The five-character SQLSTATE from the server, when the server sent one.
    public var sqlState: String?
    /// The primary message: what happened.
    public var message: String
    /// The server's detail line. May quote row values: keep it out of user-facing text.
    public var detail: String?
    /// What to do about it: the server's hint, or ours.
    public var hint: String?
    /// The name of the prepared statement or operation that failed, never its parameters.
    public var statement: String?

    public init(
        code: Code,
        message: String,
        sqlState: String? = nil,
        detail: String? = nil,
        hint: String? = nil,
        statement: String? = nil
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.statement = statement
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let statement { text += " [statement \(statement)]" }
        if let hint { text += ". Hint: \(hint)" }
        return text
    }

    public var debugDescription: String {
        guard let detail else { return description }
        return description + ". Detail: \(detail)"
    }

    /// Whether the server refused the statement because of a unique constraint.
    public var isUniqueViolation: Bool { sqlState == SQLState.uniqueViolation }
    /// Whether retrying the whole transaction may succeed (serialization failure, deadlock).
    public var isTransient: Bool {
        code == .connectionLost || sqlState == SQLState.serializationFailure
            || sqlState == SQLState.deadlockDetected
    }

    func with(statement: String?) -> PostgresError {
        var copy = self
        if copy.statement == nil { copy.statement = statement }
        return copy
    }
}

/// SQLSTATE values that callers commonly branch on.
public enum SQLState {
    public static let uniqueViolation = "23505"
    public static let foreignKeyViolation = "23503"
    public static let checkViolation = "23514"
    public static let notNullViolation = "23502"
    public static let serializationFailure = "40001"
    public static let deadlockDetected = "40P01"
    public static let queryCanceled = "57014"
    public static let adminShutdown = "57P01"
    public static let undefinedTable = "42P01"
    public static let invalidTextRepresentation = "22P02"
}
