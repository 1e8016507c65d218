public import Foundation
public import PostgresClient
#if canImport(Glibc)
import Glibc
#endif

/// A PgBouncer in transaction mode in front of a PostgreSQL server, for tests and
/// the bench: the pooler most deployments put between many worker processes and one
/// server. Runs as the `postgres` user when we are root (PgBouncer refuses root),
/// listens on 127.0.0.1 at a free port, and is stopped and its directory removed when
/// `stop()` runs or the process that started it ends.
public final class LocalPgBouncer: Sendable {
    /// Where clients connect: PgBouncer, with `poolMode` `.transaction`.
    public let address: PostgresConfiguration
    public let port: Int
    let directory: String
    let pidFile: String

    /// Debian's package; `scripts/bootstrap` installs it.
    public static let executable = "/usr/sbin/pgbouncer"

    /// Starts PgBouncer in front of a server (its host, port, user and password; the
    /// database is chosen per client). `poolSize` is the server sessions per database.
    /// `listenAddresses` are where it accepts clients (the first is in `address`): add a
    /// network namespace's host-side address for workers inside it.
    public static func start(
        inFrontOf front: PostgresConfiguration, poolSize: Int = 20, listenAddresses: [String] = ["127.0.0.1"]
    ) throws -> LocalPgBouncer {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw LocalClusterError(.binariesMissing, "PgBouncer is not installed (\(executable))", hint: "apt-get install -y pgbouncer")
        }
        let directory = "/tmp/kheo-pgbouncer-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try CommandRunner.handOver(directory)
        let user = front.user ?? "postgres"
        let host = front.host ?? "/var/run/postgresql"
        let port = front.port ?? 5432
        // The server's password, when it needs one, is what PgBouncer logs in with.
        let users = "\"\(user)\" \"\(front.password ?? "")\"\n"
        var lastError = ""
        for _ in 0..<5 {
            let listenPort = try Self.freePort()
            let config = """
                [databases]
                * = host=\(host) port=\(port) user=\(user)
                [pgbouncer]
                listen_addr = \(listenAddresses.joined(separator: ","))
                listen_port = \(listenPort)
                unix_socket_dir =
                auth_type = trust
                auth_file = \(directory)/users.txt
                pool_mode = transaction
                default_pool_size = \(poolSize)
                max_client_conn = 2000
                ignore_startup_parameters = options, extra_float_digits
                server_login_retry = 1
                ; a client cut off inside a transaction (a frozen or unplugged host) would
                ; otherwise keep its server session, and its row locks, for hours
                idle_transaction_timeout = 10
                logfile = \(directory)/pgbouncer.log
                pidfile = \(directory)/pgbouncer.pid
                """
            try write(config, to: directory + "/pgbouncer.ini")
            try write(users, to: directory + "/users.txt", mode: 0o600)
            var arguments = ["-d", directory + "/pgbouncer.ini"]
            if CommandRunner.isRoot { arguments = ["-u", CommandRunner.serviceUser] + arguments }
            let output = try CommandRunner.run(executable, arguments)
            let bouncer = LocalPgBouncer(
                address: PostgresConfiguration(host: listenAddresses[0], port: listenPort, user: user, password: front.password, database: front.database),
                port: listenPort, directory: directory
            )
            if output.status == 0, bouncer.waitUntilListening() {
                try bouncer.stopWhenProcessEnds(getpid())
                return bouncer
            }
            lastError = output.text + bouncer.logTail()
            bouncer.stop(removing: false)
        }
        throw LocalClusterError(.startFailed, "PgBouncer did not start: \(lastError.trimmingCharacters(in: .whitespacesAndNewlines))")
    }

    private init(address: PostgresConfiguration, port: Int, directory: String) {
        var address = address
        address.poolMode = .transaction
        self.address = address
        self.port = port
        self.directory = directory
        self.pidFile = directory + "/pgbouncer.pid"
    }

    /// The address of `database` through this PgBouncer.
    public func address(of database: String) -> PostgresConfiguration {
        var configuration = address
        configuration.database = database
        return configuration
    }

    /// Stops PgBouncer (closing every client and server connection) and removes its files.
    public func stop() { stop(removing: true) }

    private func stop(removing: Bool) {
        if let pid = processID() {
            kill(pid, SIGTERM)
            for _ in 0..<50 where kill(pid, 0) == 0 { usleep(20_000) }
            if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        }
        if removing { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// PgBouncer's process, from its pid file.
    public func processID() -> pid_t? {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8) else { return nil }
        return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The last lines of PgBouncer's log, to explain a failure.
    public func logTail(lines: Int = 15) -> String {
        guard let text = try? String(contentsOfFile: directory + "/pgbouncer.log", encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// This PgBouncer at another of its listen addresses.
    public func address(of database: String, at host: String) -> PostgresConfiguration {
        var configuration = address(of: database)
        configuration.host = host
        return configuration
    }

    private func waitUntilListening() -> Bool {
        for _ in 0..<100 {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(socket) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr(self.address.host ?? "127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if connected == 0 { return true }
            usleep(50_000)
        }
        return false
    }

    /// A watcher that stops PgBouncer when `pid` exits, even if it crashes.
    private func stopWhenProcessEnds(_ pid: Int32) throws {
        let script = "while kill -0 \(pid) 2>/dev/null; do sleep 1; done; kill $(cat '\(pidFile)') 2>/dev/null; sleep 1; rm -rf '\(directory)'"
        _ = try Subprocess.spawn(["/bin/sh", "-c", script], environment: CommandRunner.cleanEnvironment(), outputPath: nil, wait: false)
    }

    /// A TCP port nothing listens on now (the kernel's pick for port 0).
    private static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(socket, pointer, length) == 0 && getsockname(socket, pointer, &length) == 0
            }
        }
        guard bound else { throw LocalClusterError(.commandFailed, "no free TCP port on 127.0.0.1 for PgBouncer") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func write(_ text: String, to path: String, mode: Int = 0o644) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        try CommandRunner.handOver(path)
    }
}
