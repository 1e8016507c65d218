import Foundation
import Kheo
import KheoTesting
import Logging
import PostgresClient
import Testing

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(30), _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        // Polls a condition of the database or another process, which has no signal.
        Thread.sleep(forTimeInterval: 0.02)
    }
    return try condition()
}

/// Runs an in-process worker node on `database` with the built-in kinds (plus `extra`).
func withWorker<Result>(
    _ database: TestDatabase,
    queues: [WorkerConfiguration.Queue] = [.init("default", concurrency: 5)],
    lease: Duration = .seconds(5),
    retryBase: Duration = .milliseconds(100),
    extra: (inout JobRegistry) -> Void = { _ in },
    _ body: (WorkerNode) throws -> Result
) throws -> Result {
    var registry = JobRegistry()
    BuiltinJobs.register(in: &registry)
    BuiltinJobs.registerTestKinds(in: &registry)
    extra(&registry)
    var logger = Logger(label: "kheo.test.worker")
    logger.logLevel = .critical
    let node = try WorkerNode(
        database: database.configuration, registry: registry,
        configuration: WorkerConfiguration(
            queues: queues, leaseDuration: lease, pollInterval: .milliseconds(500),
            retryPolicy: RetryPolicy(base: retryBase, jitter: 0)
        ),
        logger: logger
    )
    try node.start()
    defer {
        node.stop(grace: .seconds(5))
        node.wait()
    }
    return try body(node)
}

/// The state of a job, read fresh.
func state(of id: Int64, in database: TestDatabase) throws -> String {
    try database.pool.query("SELECT state::text AS state FROM kheo.all_jobs WHERE id = $1", id).single().decode("state")
}

func count(_ sql: String, in database: TestDatabase, _ parameters: any PostgresEncodable...) throws -> Int {
    Int(try database.pool.query(sql, parameters).single().decode(0, as: Int64.self))
}

/// Waits for `condition`, recording a test failure at the caller if it never holds.
func waitUntil(
    timeout: Duration = .seconds(30),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () throws -> Bool
) throws {
    if try !eventually(timeout: timeout, condition) {
        Issue.record("the condition did not hold within \(timeout)", sourceLocation: sourceLocation)
    }
}
