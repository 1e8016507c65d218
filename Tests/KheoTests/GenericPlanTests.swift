import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Testing

/// The worker plans its statements once (`WorkerSession`), so each generic plan must
/// stay on the indexes that keep it fast however many jobs have run.
@Suite("Generic plans of the worker's statements")
struct GenericPlanTests {
    /// A table that looks like one mid-drain: many finished jobs, a few running ones,
    /// statistics up to date.
    private func midDrain(_ db: TestDatabase) throws {
        try db.pool.withConnection { connection in
            try connection.execute(script: """
                INSERT INTO kheo.jobs (queue, kind, state, attempt, finalized_at)
                SELECT 'default', 'kheo.noop', 'completed', 1, now() FROM generate_series(1, 20000);
                INSERT INTO kheo.jobs (queue, kind, state, attempt, lease_owner, lease_expires_at)
                SELECT 'default', 'kheo.noop', 'running', 1, gen_random_uuid(), now() + interval '1 minute'
                FROM generate_series(1, 40);
                ANALYZE kheo.jobs;
                """)
        }
    }

    /// The plan of `statement` with these literal arguments, on a session set up as a worker's.
    private func genericPlan(
        _ db: TestDatabase, _ statement: PreparedStatement, prepareWith parameters: [any PostgresEncodable], arguments: String,
        settings: [String: String] = WorkerSession.settings
    ) throws -> String {
        let connection = try PostgresConnection.connect(to: db.configuration)
        for (name, value) in settings {
            _ = try connection.query("SELECT set_config($1, $2, false)", [name, value])
        }
        _ = try connection.query(statement, parameters)
        let call = arguments.isEmpty ? "" : "(\(arguments))"
        let rows = try connection.query("EXPLAIN EXECUTE \"\(statement.name)\"\(call)", [])
        return try rows.map { try $0.decode(0, as: String.self) }.joined(separator: "\n")
    }

    /// The generic plan of the worker's round trip, writing two outcomes and claiming ten.
    private func finishAndClaimPlan(_ db: TestDatabase) throws -> String {
        let node = UUID().uuidString.lowercased()
        let empty: [Int64] = []
        return try genericPlan(
            db, JobSQL.finishAndClaim,
            prepareWith: [
                [Int64(1)], [Int32(1)], ["completed"], [Int64(0)], [""], node,
                ["default"], [Int32(10)], Int64(30_000), [Int32(-1)], [Int64(0)], empty,
            ],
            arguments: "'{1,2}', '{1,1}', '{completed,completed}', '{0,0}', '{\"\",\"\"}', '\(node)', '{default}', '{10}', 30000, '{-1}', '{0}', '{0}'"
        )
    }

    /// The generic plan of a lease extension for two jobs.
    private func extendLeasesPlan(_ db: TestDatabase) throws -> String {
        let node = UUID().uuidString.lowercased()
        return try genericPlan(
            db, JobSQL.extendLeases,
            prepareWith: [[Int64(1)], [Int32(1)], Int64(30_000), node],
            arguments: "'{1,2}', '{1,1}', 30000, '\(node)'"
        )
    }

    /// The outcomes of finished jobs are found by primary key, never by reading the
    /// lease index, whose dead entries pile up during a drain.
    @Test func outcomesAreWrittenThroughThePrimaryKey() throws {
        try TestDatabase.with { db in
            try midDrain(db)
            let plan = try finishAndClaimPlan(db)
            #expect(!plan.contains("jobs_lease"), "the claim statement reads the lease index:\n\(plan)")
            #expect(plan.contains("Index Scan using jobs_pkey"), "\(plan)")
            #expect(plan.contains("Index Scan using jobs_claim") || plan.contains("Index Only Scan using jobs_claim"), "\(plan)")
        }
    }

    /// The tables a node may plan on: statistics of a table mid-drain, of an empty one,
    /// and of one a prune emptied and VACUUM then counted as empty while its pages stay.
    enum TableState: String, CaseIterable, CustomTestStringConvertible {
        case midDrain = "mid-drain", analyzedEmpty = "analyzed empty", prunedAndVacuumed = "pruned and vacuumed"
        var testDescription: String { rawValue }
    }

    private func prepare(_ state: TableState, _ db: TestDatabase) throws {
        switch state {
        case .midDrain:
            try midDrain(db)
        case .analyzedEmpty:
            try db.pool.query("ANALYZE kheo.jobs")
        case .prunedAndVacuumed:
            // One statement each: VACUUM cannot run inside the implicit transaction of a script.
            for statement in [
                "INSERT INTO kheo.jobs (queue, kind, state, attempt, finalized_at) SELECT 'default', 'kheo.noop', 'completed', 1, now() - interval '2 days' FROM generate_series(1, 20000)",
                "VACUUM ANALYZE kheo.jobs", "DELETE FROM kheo.jobs", "VACUUM (TRUNCATE false) kheo.jobs",
            ] {
                try db.pool.query(statement)
            }
            #expect(try count("SELECT reltuples::bigint FROM pg_class WHERE oid = 'kheo.jobs'::regclass", in: db) == 0)
            #expect(try count("SELECT relpages::bigint FROM pg_class WHERE oid = 'kheo.jobs'::regclass", in: db) > 0)
        }
    }

    /// Outcomes are matched to their jobs by hashing, and the jobs are read through the
    /// list of ids, in every state. With a plan made where VACUUM had just counted a
    /// pruned table as empty, the outcomes once hashed a read of the whole primary key
    /// (160 ms a round trip); with `unnest` for the outcomes, a nested loop re-read them
    /// for every job (8 ms for 100).
    @Test(arguments: TableState.allCases)
    func outcomesAreHashedAgainstOnlyTheirJobs(_ state: TableState) throws {
        try TestDatabase.with { db in
            try prepare(state, db)
            let plan = try finishAndClaimPlan(db)
            let finished = plan.components(separatedBy: "CTE wanted").first ?? plan
            #expect(finished.contains("Hash Join"), "outcomes are not hashed:\n\(finished)")
            #expect(finished.contains("Index Cond: (id = ANY ($1))"), "jobs are not read through the outcomes' ids:\n\(finished)")
            #expect(!finished.contains("Seq Scan"), "\(finished)")
            let leases = try extendLeasesPlan(db)
            #expect(leases.contains("Hash Join"), "lease extensions are not hashed:\n\(leases)")
            #expect(leases.contains("Index Cond: (id = ANY ($1))"), "\(leases)")
        }
    }

    @Test func leasesAreExtendedThroughThePrimaryKey() throws {
        try TestDatabase.with { db in
            try midDrain(db)
            let plan = try extendLeasesPlan(db)
            #expect(!plan.contains("jobs_lease"), "lease extension reads the lease index:\n\(plan)")
            #expect(plan.contains("jobs_pkey"), "\(plan)")
        }
    }

    /// Planned where the statistics say nothing is scheduled, the question "when is the
    /// next job due?" still reads one entry of `jobs_due`, not every scheduled job.
    @Test func theNextDueJobIsTheFirstEntryOfTheDueIndex() throws {
        try TestDatabase.with { db in
            try midDrain(db)
            try db.pool.query(
                """
                INSERT INTO kheo.jobs (queue, kind, state, scheduled_at)
                SELECT 'default', 'kheo.noop', 'scheduled', now() + g * interval '1 minute' FROM generate_series(1, 20000) AS g
                """
            )
            let plan = try genericPlan(db, JobSQL.nextDue, prepareWith: [], arguments: "")
            #expect(plan.contains("Limit"), "the next due job is found by aggregating every scheduled job:\n\(plan)")
            #expect(plan.contains("jobs_due"), "\(plan)")
            let dueIn = try db.pool.query(JobSQL.nextDue).single().decode("due_in_us", as: Int64?.self)
            #expect(dueIn.map { (55_000_000...60_000_000).contains($0) } == true, "the first job is due in a minute, not \(String(describing: dueIn)) µs")
            try db.pool.query("DELETE FROM kheo.jobs WHERE state = 'scheduled'")
            #expect(try db.pool.query(JobSQL.nextDue).single().decode("due_in_us", as: Int64?.self) == nil)
        }
    }

    /// `--until-empty` asks this every 100 ms; it must not read finished jobs.
    @Test func pendingWorkReadsOnlyPartialIndexes() throws {
        try TestDatabase.with { db in
            try midDrain(db)
            let queues: [any PostgresEncodable] = [["default"]]
            let plan = try genericPlan(db, JobSQL.hasPendingWork, prepareWith: queues, arguments: "'{default}'")
            #expect(!plan.contains("Seq Scan"), "the emptiness check scans the table:\n\(plan)")
            let pending = try db.pool.query(JobSQL.hasPendingWork, queues).single().decode("pending", as: Bool.self)
            #expect(pending, "40 running jobs are pending work")
            try db.pool.query("UPDATE kheo.jobs SET state = 'completed', finalized_at = now(), lease_owner = NULL, lease_expires_at = NULL WHERE state = 'running'")
            let after = try db.pool.query(JobSQL.hasPendingWork, queues).single().decode("pending", as: Bool.self)
            #expect(!after, "only finished jobs are left")
        }
    }

    /// Promotion and pruning, once functions with their own plan settings, are
    /// statements now: planned on any of the tables a node meets, each reads its
    /// batch from its partial index and updates or deletes through the primary key,
    /// never the whole table (86.8 s for 1,000 due jobs after a burst, when it did).
    @Test(arguments: TableState.allCases)
    func promotionAndPruningReadOnlyTheirIndexes(_ state: TableState) throws {
        try TestDatabase.with { db in
            try prepare(state, db)
            let promote = try genericPlan(db, JobSQL.promoteDue, prepareWith: [Int32(1000)], arguments: "1000")
            #expect(!promote.contains("Seq Scan"), "promotion scans the table:\n\(promote)")
            #expect(promote.contains("jobs_due"), "\(promote)")
            #expect(promote.contains("Index Cond: (id = ANY ($1))") || promote.contains("Index Cond: (id = ANY ($2))") || promote.contains("jobs_pkey"), "\(promote)")
            // The maintainer's pool has no worker settings: only what `Pruner` sets itself.
            let prune = try genericPlan(
                db, Pruner.pruneBatch, prepareWith: ["completed", Int64(86_400_000_000), Int32(1000)], arguments: "'completed', 86400000000, 1000",
                settings: ["enable_seqscan": "off", "plan_cache_mode": "force_generic_plan"]
            )
            #expect(!prune.contains("Seq Scan"), "pruning scans the table:\n\(prune)")
            #expect(prune.contains("jobs_pkey"), "\(prune)")
        }
    }

    /// A rescue round with nothing to rescue reads nothing but its window of the lease
    /// index: the jobs it updates or moves are read through the ids it found expired.
    /// Planned where the statistics called the table empty, the bare join read the whole
    /// primary key twice a round (0.6 s beside 850,000 dead rows, once a second per node).
    @Test(arguments: TableState.allCases)
    func rescueReadsOnlyTheJobsItFoundExpired(_ state: TableState) throws {
        try TestDatabase.with { db in
            try prepare(state, db)
            let plan = try genericPlan(
                db, Rescuer.rescue, prepareWith: [Int32(1000), 1.0, 2.0, 60.0, 0.1, Date.distantPast],
                arguments: "1000, 1, 2, 60, 0.1, '-infinity'"
            )
            #expect(!plan.contains("Seq Scan"), "the rescue scans the table:\n\(plan)")
            #expect(plan.contains("jobs_lease"), "\(plan)")
            // Each read of the primary key is bounded by an index condition (the bad plan
            // read it whole, joining the expired jobs in a filter).
            let lines = plan.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            let reads = lines.indices.filter { lines[$0].contains("using jobs_pkey") }
            #expect(reads.count == 2, "\(plan)")
            for read in reads {
                #expect(lines.indices.contains(read + 1) && lines[read + 1].hasPrefix("Index Cond: (") && lines[read + 1].contains("id = ANY ("),
                        "a read of every job by primary key:\n\(plan)")
            }
        }
    }
}
