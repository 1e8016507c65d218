import NIOPosix
import PostgresClient

/// The database, for async handlers. libpq calls block their thread, so they run on a
/// thread pool of their own, never on the event loops or Swift's cooperative pool
/// (two threads on a two-core machine: one slow query there would stall every
/// request).
final class BlockingDatabase: Sendable {
    let pool: PostgresConnectionPool
    private let threads: NIOThreadPool

    init(pool: PostgresConnectionPool, threads count: Int) {
        self.pool = pool
        threads = NIOThreadPool(numberOfThreads: count)
        threads.start()
    }

    func run<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnectionPool) throws -> Result) async throws -> Result {
        let pool = self.pool
        return try await threads.runIfActive { try body(pool) }
    }

    /// Runs `body` on one of the threads without waiting for it.
    func submit(_ body: @escaping @Sendable (PostgresConnectionPool) -> Void) {
        let pool = self.pool
        // Runs even while the pool shuts down, so whoever waits on `body` hears back.
        threads.submit { _ in body(pool) }
    }

    func shutdown() async throws {
        try await threads.shutdownGracefully()
    }
}
