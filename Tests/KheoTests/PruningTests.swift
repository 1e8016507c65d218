import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Testing

@Suite("Pruning")
struct PruningTests {
    /// Finished jobs of several ages, each tagged with what pruning should do to it.
    static func seed(_ db: TestDatabase) throws {
        try db.pool.withConnection { connection in
            try connection.execute(script: """
                INSERT INTO kheo.jobs (queue, kind, state, attempt, finalized_at, tags)
                SELECT 'old', 'kheo.noop', 'completed', 1, now() - interval '2 days', '{expired}' FROM generate_series(1, 5000);
                INSERT INTO kheo.jobs (queue, kind, state, attempt, finalized_at, tags)
                SELECT 'old', 'kheo.noop', 'completed', 1, now() - interval '1 hour', '{kept}' FROM generate_series(1, 100);
                INSERT INTO kheo.jobs (queue, kind, state, attempt, finalized_at, tags)
                SELECT 'old', 'kheo.noop', 'discarded', 1, now() - interval '3 days', '{kept}' FROM generate_series(1, 50);
                INSERT INTO kheo.jobs (queue, kind, state, attempt, finalized_at, tags)
                SELECT 'old', 'kheo.noop', 'discarded', 1, now() - interval '8 days', '{expired}' FROM generate_series(1, 50);
                INSERT INTO kheo.jobs (queue, kind, state, attempt, finalized_at, tags)
                SELECT 'old', 'kheo.noop', 'cancelled', 0, now() - interval '8 days', '{expired}' FROM generate_series(1, 30);
                INSERT INTO kheo.jobs (queue, kind, state, scheduled_at, tags)
                SELECT 'old', 'kheo.noop', 'scheduled', now() + interval '1 day', '{kept}' FROM generate_series(1, 20);
                """)
        }
    }

    /// A node prunes in batches while it drains 3,000 jobs: only expired finished jobs go,
    /// and the drain completes every job without an error.
    @Test func prunesOnlyExpiredFinishedJobsInBatchesDuringADrain() throws {
        try TestDatabase.with { db in
            try Self.seed(db)
            let drain = try Producer().enqueueMany(Array(repeating: try JobRequest(BuiltinJobs.Record()), count: 3000), on: db.pool)
            var registry = JobRegistry()
            BuiltinJobs.register(in: &registry)
            BuiltinJobs.registerTestKinds(in: &registry)
            let node = try WorkerNode(
                database: db.configuration, registry: registry,
                configuration: WorkerConfiguration(
                    queues: [.init("default", concurrency: 10)],
                    pruning: PruneConfiguration(batchSize: 400, interval: .milliseconds(50))
                )
            )
            try node.start()
            defer {
                node.stop(grace: .seconds(5))
                node.wait()
            }
            try waitUntil(timeout: .seconds(30)) {
                try count("SELECT count(*) FROM kheo.all_jobs WHERE 'expired' = ANY(tags)", in: db) == 0
                    && count("SELECT count(*) FROM kheo.all_jobs WHERE id = ANY($1) AND state = 'completed'", in: db, drain) == 3000
            }
            #expect(try count("SELECT count(*) FROM kheo.all_jobs WHERE 'kept' = ANY(tags)", in: db) == 170)
            #expect(try count("SELECT count(*) FROM kheo.recorded_effects", in: db) == 3000)
            #expect(try count("SELECT count(*) FROM kheo.all_jobs WHERE errors <> '[]'", in: db) == 0, "the drain recorded no error")
            #expect(try count("SELECT count(*) FROM kheo.leaders WHERE name = 'maintenance'", in: db) == 1)
        }
    }

    @Test func batchesAreSmallAndDryRunDeletesNothing() throws {
        try TestDatabase.with { db in
            try Self.seed(db)
            let pruner = Pruner(configuration: PruneConfiguration(batchSize: 1000))
            let dry = try pruner.dryRun(on: db.pool)
            #expect(dry.deleted == [.completed: 5000, .cancelled: 30, .discarded: 50])
            #expect(try count("SELECT count(*) FROM kheo.all_jobs", in: db) == 5250)
            let firstRound = try pruner.prune(on: db.pool, maximumBatches: 2)
            #expect(firstRound.batches == 2 && firstRound.total == 2000, "\(firstRound)")
            let rest = try pruner.prune(on: db.pool)
            #expect(rest.deleted == [.completed: 3000, .cancelled: 30, .discarded: 50])
            #expect(try count("SELECT count(*) FROM kheo.all_jobs", in: db) == 170)
        }
    }

    /// Two nodes ask for the prune leadership; one holds it until it resigns.
    @Test func oneLeaderAtATime() throws {
        try TestDatabase.with { db in
            let (a, b) = (UUID().uuidString, UUID().uuidString)
            func claim(_ node: String) throws -> Bool {
                try db.pool.query(Maintainer.claim, "prune", node, Int64(30_000)).count == 1
            }
            #expect(try claim(a))
            #expect(try !claim(b))
            #expect(try claim(a), "the leader renews its term")
            try db.pool.query(Maintainer.resign, "prune", a)
            #expect(try claim(b))
            #expect(try !claim(a))
        }
    }
}
