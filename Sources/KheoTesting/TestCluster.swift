import Foundation
public import LocalPostgres
import PostgresClient

/// Throwaway PostgreSQL clusters for tests that must own their server: restarting it,
/// or changing its access rules. Each lives in a temporary directory (reachable by the
/// `postgres` user when we are root) and is deleted afterwards, even if the test
/// process crashes.
public enum TestCluster {
    /// Runs `body` with a fresh cluster of its own, then stops and deletes it.
    public static func withPrivateCluster<Result>(_ body: (LocalCluster) throws -> Result) throws -> Result {
        let cluster = try makeThrowaway(label: "private")
        defer { try? cluster.destroy() }
        return try body(cluster)
    }

    /// Runs `body` with a primary and a synchronous streaming standby of it (made by
    /// `pg_basebackup -R`), as operators run PostgreSQL for failover: a commit is
    /// acknowledged once the standby has it on disk. Both are deleted afterwards.
    public static func withPrimaryAndStandby<Result>(_ body: (_ primary: LocalCluster, _ standby: LocalCluster) throws -> Result) throws -> Result {
        // Durable commits, and the full-page writes a base backup needs.
        let primary = try makeThrowaway(label: "primary", settings: ["synchronous_commit": "on", "full_page_writes": "on"])
        defer { try? primary.destroy() }
        try primary.allowReplication()
        let standby = try primary.makeStandby(root: "/tmp/kheo-test-\(getpid())-standby-\(UUID().uuidString.prefix(8))")
        try standby.destroyWhenProcessEnds(getpid())
        defer { try? standby.destroy() }
        try primary.requireSynchronousStandby()
        return try body(primary, standby)
    }

    static func makeThrowaway(label: String, settings: [String: String] = [:]) throws -> LocalCluster {
        let root = "/tmp/kheo-test-\(getpid())-\(label)-\(UUID().uuidString.prefix(8))"
        var configuration = LocalCluster.Configuration(root: root)
        configuration.isThrowaway = true
        configuration.settings = settings
        let cluster = try LocalCluster(configuration)
        try cluster.start()
        try cluster.destroyWhenProcessEnds(getpid())
        return cluster
    }
}
