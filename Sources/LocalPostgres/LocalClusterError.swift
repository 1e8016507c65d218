/// Why a local PostgreSQL cluster could not be set up, started or stopped, with what to do.
public struct LocalClusterError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case binariesMissing, noServiceUser, directoryUnusable, commandFailed, startFailed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// initdb, pg_ctl or postgres are not installed.
        public static let binariesMissing = Code(.binariesMissing)
        /// Running as root and there is no unprivileged `postgres` user to run the server as.
        public static let noServiceUser = Code(.noServiceUser)
        /// The cluster's directory cannot be created or reached by the server's user.
        public static let directoryUnusable = Code(.directoryUnusable)
        /// initdb or pg_ctl exited with an error.
        public static let commandFailed = Code(.commandFailed)
        /// The server did not come up; its log says why.
        public static let startFailed = Code(.startFailed)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String
    public let hint: String?

    init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String {
        hint.map { "\(message)\nHint: \($0)" } ?? message
    }
}
