import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Synchronization
import Testing

/// Jobs run on self-spawning runners and claims read from a cursor; neither may cost
/// a job its turn.
@Suite("Runners and claim cursor")
struct RunnerAndCursorTests {
    struct Rendezvous: JobArgs {
        static let kind = "test.rendezvous"
    }

    /// Each run waits until `expected` runs have started at once, or gives up after 10 s.
    final class RendezvousHandler: JobHandler, Sendable {
        let expected: Int
        private let started = Mutex(0)

        init(expected: Int) { self.expected = expected }

        struct TooFew: Error {}

        func run(_ args: Rendezvous, context: JobContext) throws -> JobResult {
            started.withLock { $0 += 1 }
            let deadline = ContinuousClock.now + .seconds(10)
            while started.withLock({ $0 }) < expected {
                guard ContinuousClock.now < deadline else { throw TooFew() }
                // Each handler holds its runner until all have started: that is what is tested.
                Thread.sleep(forTimeInterval: 0.005)
            }
            return .completed
        }
    }

    /// Twenty handlers that block until all twenty run: only possible if every claimed
    /// job gets a thread of its own at once, whatever the others are doing.
    @Test func blockingHandlersAllRunAtOnce() throws {
        try TestDatabase.with { db in
            let handler = RendezvousHandler(expected: 20)
            let ids = try Producer().enqueueMany(Array(repeating: Rendezvous(), count: 20), on: db.pool)
            try withWorker(db, queues: [.init("default", concurrency: 20)], extra: { $0.register(handler) }) { _ in
                try waitUntil { try count("SELECT count(*) FROM kheo.all_jobs WHERE id = ANY($1) AND state <> 'running' AND state <> 'available'", in: db, ids) == 20 }
            }
            #expect(try count("SELECT count(*) FROM kheo.all_jobs WHERE id = ANY($1) AND state = 'completed' AND attempt = 1", in: db, ids) == 20)
        }
    }

    /// While a node drains a backlog from its cursor, a job that sorts before the cursor
    /// (a higher priority, enqueued later) is still claimed soon, not after the backlog.
    @Test func anUrgentJobOvertakesADrainingBacklog() throws {
        try TestDatabase.with { db in
            let backlog = try JobRequest(BuiltinJobs.Sleep(ms: 5), options: EnqueueOptions(priority: 5))
            try Producer().enqueueMany(Array(repeating: backlog, count: 6000), on: db.pool)
            try withWorker(db, queues: [.init("default", concurrency: 10)]) { _ in
                try waitUntil { try count("SELECT count(*) FROM kheo.all_jobs WHERE state = 'completed'", in: db) >= 300 }
                let urgent = try Producer().enqueue(BuiltinJobs.Noop(), options: EnqueueOptions(priority: 0), on: db.pool)
                try waitUntil(timeout: .seconds(60)) { try state(of: urgent, in: db) == "completed" }
                let left = try count("SELECT count(*) FROM kheo.all_jobs WHERE priority = 5 AND state <> 'completed'", in: db)
                #expect(left > 1000, "the urgent job waited for most of the backlog: only \(left) backlog jobs were left")
            }
        }
    }
}
