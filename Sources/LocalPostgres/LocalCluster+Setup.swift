import Foundation
import PostgresClient

extension LocalCluster {
    /// Creates the root directory, owned by whoever will run the server.
    func prepareRoot() throws(LocalClusterError) {
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw LocalClusterError(.directoryUnusable, "cannot create the cluster directory \(root): \(error.localizedDescription)", hint: "set KHEO_HOME to a writable directory")
        }
        try CommandRunner.handOver(root)
        _ = chmod(root, 0o700)
        if CommandRunner.isRoot {
            let probe = try CommandRunner.run("/usr/bin/test", ["-w", root, "-a", "-x", root], asServiceUser: true)
            guard probe.status == 0 else {
                throw LocalClusterError(
                    .directoryUnusable,
                    "the \(CommandRunner.serviceUser) user cannot reach \(root) (a parent directory is private, like /root)",
                    hint: "set KHEO_HOME to a directory outside /root, e.g. /var/lib/kheo"
                )
            }
        }
    }

    /// Runs initdb and writes our settings and access rules. A failed initdb leaves no
    /// half-made data directory behind.
    func initialize() throws {
        var arguments = [
            "-D", dataDirectory, "-U", configuration.superuser, "--auth=trust",
            "--encoding=UTF8", "--no-locale", "--no-instructions",
        ]
        if configuration.isThrowaway { arguments.append("--no-sync") }
        do {
            try CommandRunner.check(binaries.initdb, arguments, asServiceUser: true)
            try writeSettings()
        } catch {
            try? FileManager.default.removeItem(atPath: dataDirectory)
            throw error
        }
    }

    /// A quarter of memory up to 1 GB for a cluster that keeps data; 128 MB for a
    /// throwaway one (tests start several at once). With 128 MB a million-job backlog
    /// no longer fits and every claim and completion evicts dirty pages: a drain of one
    /// ran three times slower than with 1 GB on the same machine.
    static func sharedBuffers(throwaway: Bool) -> String {
        let quarter = ProcessInfo.processInfo.physicalMemory / 4 / (1 << 20)
        let megabytes = throwaway ? 128 : max(128, min(1024, quarter))
        return "'\(megabytes)MB'"
    }

    private func writeSettings() throws {
        try FileManager.default.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
        try CommandRunner.handOver(socketDirectory)
        _ = chmod(socketDirectory, 0o700)

        var settings = [
            "listen_addresses": "''",
            "unix_socket_directories": quoted(socketDirectory),
            "port": String(configuration.port),
            "max_connections": "200",
            "shared_buffers": Self.sharedBuffers(throwaway: configuration.isThrowaway),
            "timezone": "'UTC'",
            "log_timezone": "'UTC'",
        ]
        if configuration.isThrowaway {
            settings["fsync"] = "off"
            settings["synchronous_commit"] = "off"
            settings["full_page_writes"] = "off"
        }
        for (key, value) in configuration.settings { settings[key] = value }
        let lines = settings.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }
        try append("\n# Written by kheo\n" + lines.joined(separator: "\n") + "\n", to: dataDirectory + "/postgresql.conf")

        let access = """
            # Written by kheo. The socket directory is private to the server's owner (and root),
            # so its superuser may log in over it without a password; every other role needs one.
            local   all   \(configuration.superuser)   trust
            local   all   all   scram-sha-256

            """
        try access.write(toFile: dataDirectory + "/pg_hba.conf", atomically: false, encoding: .utf8)
    }

    func launch() throws(LocalClusterError) {
        do {
            try CommandRunner.check(
                binaries.pgCtl,
                ["start", "-D", dataDirectory, "-l", logFile, "-w", "-t", "60"],
                asServiceUser: true
            )
        } catch {
            throw LocalClusterError(
                .startFailed,
                "PostgreSQL did not start from \(dataDirectory). \(error.message)\nServer log (\(logFile)):\n\(logTail())",
                hint: "if another server owns the socket or the data directory, stop it (`kheo db stop`) and try again"
            )
        }
    }

    /// Creates the application database if it is missing.
    func createDatabase() throws {
        var admin = connectionConfiguration
        admin.database = "postgres"
        let connection = try PostgresConnection.connect(to: admin)
        let exists = try connection.query("SELECT 1 FROM pg_database WHERE datname = $1", configuration.database).count == 1
        if !exists {
            try connection.execute(script: "CREATE DATABASE \(try connection.quoteIdentifier(configuration.database))")
        }
    }

    private func quoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }

    private func append(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }
}
