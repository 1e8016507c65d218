import Kheo
import PostgresClient
import Synchronization

/// Enqueues that arrive together share one INSERT and one commit.
///
/// Under load most of a single-job request's time is its commit: a WAL flush that every
/// concurrent transaction waits for in turn. Here at most `statements` INSERTs are in
/// flight; requests that arrive meanwhile wait and go together in the next one (up to
/// `maxJobs` jobs), so 32 concurrent producers cost a few commits, not 32.
///
/// Each request still gets its own ids, in its own order. The shared statement is
/// atomic: if it fails, each request of it is tried alone, so one bad request (a
/// string PostgreSQL cannot store, say) fails only itself. Requests with an
/// `Idempotency-Key` do not come here: their key's row must commit with their jobs.
final class EnqueueCoalescer: Sendable {
    private struct Waiting: Sendable {
        let requests: [JobRequest]
        let done: CheckedContinuation<[Int64], any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var statements = 0
    }

    private let state = Mutex(State())
    private let database: BlockingDatabase
    private let statements: Int
    private let maxJobs: Int

    init(database: BlockingDatabase, statements: Int = 2, maxJobs: Int = 5_000) {
        self.database = database
        self.statements = max(1, statements)
        self.maxJobs = maxJobs
    }

    /// The ids of `requests`, in their order, once they are committed.
    func enqueue(_ requests: [JobRequest]) async throws -> [Int64] {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<[Int64], any Error>) in
            let start = state.withLock { state -> Bool in
                state.waiting.append(Waiting(requests: requests, done: done))
                guard state.statements < statements else { return false }
                state.statements += 1
                return true
            }
            if start { database.submit { pool in self.drain(pool) } }
        }
    }

    /// Takes what is waiting, a statement's worth at a time, until nothing is.
    private func drain(_ pool: PostgresConnectionPool) {
        while true {
            let batch = state.withLock { state -> [Waiting] in
                var jobs = 0, taken = 0
                while taken < state.waiting.count, taken == 0 || jobs + state.waiting[taken].requests.count <= maxJobs {
                    jobs += state.waiting[taken].requests.count
                    taken += 1
                }
                let batch = Array(state.waiting.prefix(taken))
                state.waiting.removeFirst(taken)
                if batch.isEmpty { state.statements -= 1 }
                return batch
            }
            guard !batch.isEmpty else { return }
            insert(batch, pool)
        }
    }

    private func insert(_ batch: [Waiting], _ pool: PostgresConnectionPool) {
        guard batch.count > 1 else {
            batch[0].done.resume(with: Result { try Producer().enqueueMany(batch[0].requests, on: pool) })
            return
        }
        let ids: [Int64]
        do {
            ids = try Producer().enqueueMany(batch.flatMap(\.requests), on: pool)
        } catch {
            for waiting in batch { waiting.done.resume(with: Result { try Producer().enqueueMany(waiting.requests, on: pool) }) }
            return
        }
        var start = 0
        for waiting in batch {
            let end = start + waiting.requests.count
            waiting.done.resume(returning: Array(ids[start..<end]))
            start = end
        }
    }
}
