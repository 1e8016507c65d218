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

    static func makeThrowaway(label: String) throws -> LocalCluster {
        let root = "/tmp/kheo-test-\(getpid())-\(label)-\(UUID().uuidString.prefix(8))"
        var configuration = LocalCluster.Configuration(root: root)
        configuration.isThrowaway = true
        let cluster = try LocalCluster(configuration)
        try cluster.start()
        try cluster.destroyWhenProcessEnds(getpid())
        return cluster
    }
}
