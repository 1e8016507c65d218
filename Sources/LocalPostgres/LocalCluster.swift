public import PostgresClient
import Foundation

/// A PostgreSQL cluster of our own: a data directory, a server listening only on a
/// Unix socket in a private directory, and a database for Kheo.
///
/// The CLI uses a persistent one (under `KHEO_HOME`) when no `DATABASE_URL` is given;
/// tests use throwaway ones in temporary directories. Layout under `root`:
/// `data/` (the cluster), `run/` (the socket), `postgres.log`.
///
/// Only the owner (or root) can reach the socket directory, which is why the
/// cluster's superuser may log in over it without a password; every other role needs
/// one (scram-sha-256). Nothing listens on TCP.
public struct LocalCluster: Sendable {
    /// How a cluster is set up.
    public struct Configuration: Sendable {
        /// The directory holding the cluster; created if missing.
        public var root: String
        /// The superuser created by initdb, who logs in over the socket without a password.
        public var superuser = "kheo"
        /// The database created for the application.
        public var database = "kheo"
        /// Names the socket file (`.s.PGSQL.PORT`); nothing listens on TCP.
        public var port = 5432
        /// Throwaway clusters trade durability for speed: no fsync, no synchronous commit.
        public var isThrowaway = false
        /// Extra `postgresql.conf` settings.
        public var settings: [String: String] = [:]

        public init(root: String) { self.root = root }
    }

    /// What `start()` found and did.
    public enum StartOutcome: Sendable, Equatable {
        /// A new cluster was initialised and started.
        case created
        /// An existing cluster was started.
        case started
        /// The cluster was already running and is reused.
        case alreadyRunning
    }

    public enum Status: Sendable, Equatable {
        case notInitialized, stopped, running
    }

    public let configuration: Configuration
    public let binaries: PostgresBinaries

    public var root: String { configuration.root }
    public var dataDirectory: String { root + "/data" }
    public var socketDirectory: String { root + "/run" }
    public var logFile: String { root + "/postgres.log" }

    public init(_ configuration: Configuration, binaries: PostgresBinaries? = nil) throws(LocalClusterError) {
        self.configuration = configuration
        if let binaries { self.binaries = binaries } else { self.binaries = try PostgresBinaries.locate() }
        let socketPath = socketDirectory + "/.s.PGSQL.\(configuration.port)"
        guard socketPath.utf8.count < 100 else {
            throw LocalClusterError(
                .directoryUnusable,
                "the cluster directory \(root) is too deep: its socket path would exceed the 107-byte Unix limit",
                hint: "choose a shorter KHEO_HOME"
            )
        }
    }

    /// Where the CLI keeps its cluster: `$KHEO_HOME`, else the user's data folder
    /// (`$XDG_DATA_HOME/kheo` or `~/.local/share/kheo`). Root's home is private, so for
    /// root the default is `/var/lib/kheo`, which the `postgres` user can reach.
    public static func defaultRoot(environment: [String: String]? = nil) -> String {
        let environment = environment ?? ProcessInfo.processInfo.environment
        if let home = environment["KHEO_HOME"], !home.isEmpty { return home + "/postgres" }
        if CommandRunner.isRoot { return "/var/lib/kheo/postgres" }
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty { return data + "/kheo/postgres" }
        let home = environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
        return home + "/.local/share/kheo/postgres"
    }

    /// How to reach the application database as the superuser.
    public var connectionConfiguration: PostgresConfiguration {
        PostgresConfiguration(host: socketDirectory, port: configuration.port, user: configuration.superuser, database: configuration.database)
    }

    /// The same as a URL, for `DATABASE_URL` or psql.
    public var url: String {
        "postgresql://\(configuration.superuser)@/\(configuration.database)?host=\(socketDirectory)&port=\(configuration.port)"
    }

    public func status() throws(LocalClusterError) -> Status {
        guard FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") else { return .notInitialized }
        let output = try CommandRunner.run(binaries.pgCtl, ["status", "-D", dataDirectory], asServiceUser: true)
        return output.status == 0 ? .running : .stopped
    }

    /// Initialises the cluster if needed, starts it if stopped, and makes sure the
    /// application database exists. Safe to call from several processes at once.
    @discardableResult
    public func start() throws -> StartOutcome {
        try prepareRoot()
        return try FileLock.withLock(at: root + "/.lock") {
            var outcome = StartOutcome.alreadyRunning
            switch try status() {
            case .running:
                break
            case .notInitialized:
                try initialize()
                try launch()
                outcome = .created
            case .stopped:
                try launch()
                outcome = .started
            }
            try createDatabase()
            return outcome
        }
    }

    /// Stops the server (fast shutdown: sessions are ended, in-flight transactions roll back).
    public func stop() throws(LocalClusterError) {
        guard try status() == .running else { return }
        try CommandRunner.check(binaries.pgCtl, ["stop", "-D", dataDirectory, "-m", "fast", "-w", "-t", "60"], asServiceUser: true)
    }

    /// Restarts the server, ending every session (what an operator's restart does).
    public func restart() throws(LocalClusterError) {
        try CommandRunner.check(
            binaries.pgCtl,
            ["restart", "-D", dataDirectory, "-m", "fast", "-w", "-t", "60", "-l", logFile],
            asServiceUser: true
        )
    }

    /// Stops the server and deletes the whole directory. For throwaway clusters.
    public func destroy() throws {
        if FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid") {
            _ = try? CommandRunner.run(binaries.pgCtl, ["stop", "-D", dataDirectory, "-m", "immediate", "-w"], asServiceUser: true)
        }
        try FileManager.default.removeItem(atPath: root)
    }

    /// Starts a detached watcher that stops the server and deletes the directory once
    /// process `pid` has ended, however it ended. Throwaway clusters use it so a test
    /// run that crashes leaves no server behind.
    public func destroyWhenProcessEnds(_ pid: Int32) throws {
        let stop = CommandRunner.isRoot
            ? "runuser -u \(CommandRunner.serviceUser) -- '\(binaries.pgCtl)' stop -D '\(dataDirectory)' -m immediate -w"
            : "'\(binaries.pgCtl)' stop -D '\(dataDirectory)' -m immediate -w"
        let script = "while kill -0 \(pid) 2>/dev/null; do sleep 1; done; \(stop) >/dev/null 2>&1; rm -rf '\(root)'"
        _ = try Subprocess.spawn(["/bin/sh", "-c", script], environment: CommandRunner.cleanEnvironment(), outputPath: nil, wait: false)
    }

    /// The last lines of the server log, to explain a failure.
    public func logTail(lines: Int = 15) -> String {
        guard let text = try? String(contentsOfFile: logFile, encoding: .utf8) else { return "(no server log at \(logFile))" }
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}
