import Foundation
import PostgresClient

/// A primary with a streaming standby on this machine, as operators run PostgreSQL for
/// failover: the standby is made with `pg_basebackup -R` (a copy of the primary that
/// follows its WAL), the primary may wait for it on every commit
/// (`synchronous_standby_names`), and `promote()` makes it the primary once the old one
/// is gone. Tests of failover use it; each cluster listens on its own socket directory.
extension LocalCluster {
    /// Lets the superuser open replication connections over the socket, which
    /// `pg_basebackup` and a standby's WAL receiver use.
    public func allowReplication() throws {
        let rule = "local   replication   \(configuration.superuser)   trust\n"
        let path = dataDirectory + "/pg_hba.conf"
        let current = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        guard !current.contains(rule) else { return }
        try (current + rule).write(toFile: path, atomically: false, encoding: .utf8)
        try CommandRunner.check(binaries.pgCtl, ["reload", "-D", dataDirectory], asServiceUser: true)
    }

    /// Copies this running cluster into a new one at `root` that streams its WAL, and
    /// starts it. The copy keeps this cluster's settings, with its own socket directory.
    public func makeStandby(root: String, name: String = "standby") throws -> LocalCluster {
        var standbyConfiguration = configuration
        standbyConfiguration.root = root
        let standby = try LocalCluster(standbyConfiguration, binaries: binaries)
        try standby.prepareRoot()
        try CommandRunner.check(
            binaries.directory + "/pg_basebackup",
            ["-D", standby.dataDirectory, "-h", socketDirectory, "-p", String(configuration.port), "-U", configuration.superuser,
             "-R", "-X", "stream", "-c", "fast", "--no-sync"],
            asServiceUser: true
        )
        try FileManager.default.createDirectory(atPath: standby.socketDirectory, withIntermediateDirectories: true)
        try CommandRunner.handOver(standby.socketDirectory)
        _ = chmod(standby.socketDirectory, 0o700)
        // Later lines win: the standby's own socket, and the name the primary waits for.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: standby.dataDirectory + "/postgresql.conf"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("""

            # Written by kheo for the standby
            unix_socket_directories = '\(standby.socketDirectory)'
            cluster_name = '\(name)'

            """.utf8))
        try handle.close()
        try CommandRunner.check(
            binaries.directory + "/pg_ctl", ["start", "-D", standby.dataDirectory, "-l", standby.logFile, "-w", "-t", "60"],
            asServiceUser: true
        )
        return standby
    }

    /// Makes every commit wait until a standby has its WAL on disk, so a commit that
    /// was acknowledged survives the primary's loss.
    public func requireSynchronousStandby(_ names: String = "*") throws {
        var admin = connectionConfiguration
        admin.database = "postgres"
        // ALTER SYSTEM takes no parameters: the names are held to what a list of standby names uses.
        guard names.allSatisfy({ $0.isLetter || $0.isNumber || " _,*()".contains($0) }) else {
            throw LocalClusterError(.startFailed, "standby names \(names) hold characters a standby list cannot", hint: "use names like * or standby")
        }
        let connection = try PostgresConnection.connect(to: admin)
        try connection.execute(script: "ALTER SYSTEM SET synchronous_standby_names = '\(names)'")
        try connection.query("SELECT pg_reload_conf()")
    }

    /// Ends a standby's recovery: it becomes a primary that takes writes.
    public func promote() throws {
        try CommandRunner.check(binaries.pgCtl, ["promote", "-D", dataDirectory, "-w", "-t", "60"], asServiceUser: true)
    }

    /// Stops the server at once, as a crash would: sessions are cut, nothing is flushed
    /// beyond what was committed.
    public func stopImmediately() throws {
        try CommandRunner.check(binaries.pgCtl, ["stop", "-D", dataDirectory, "-m", "immediate", "-w", "-t", "60"], asServiceUser: true)
    }
}
