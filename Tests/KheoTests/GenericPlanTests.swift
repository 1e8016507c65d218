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
    private func genericPlan(_ db: TestDatabase, _ statement: PreparedStatement, prepareWith parameters: [any PostgresEncodable], arguments: String) throws -> String {
        let connection = try PostgresConnection.connect(to: db.configuration)
        for (name, value) in WorkerSession.settings {
            _ = try connection.query("SELECT set_config($1, $2, false)", [name, value])
        }
        _ = try connection.query(statement, parameters)
        let rows = try connection.query("EXPLAIN EXECUTE \"\(statement.name)\"(\(arguments))", [])
        return try rows.map { try $0.decode(0, as: String.self) }.joined(separator: "\n")
    }

    /// The outcomes of finished jobs are found by primary key, never by reading the
    /// lease index, whose dead entries pile up during a drain.
    @Test func outcomesAreWrittenThroughThePrimaryKey() throws {
        try TestDatabase.with { db in
            try midDrain(db)
            let node = UUID().uuidString.lowercased()
            let empty: [Int64] = []
            let plan = try genericPlan(
                db, JobSQL.finishAndClaim,
                prepareWith: [
                    [Int64(1)], [Int32(1)], ["completed"], [Int64(0)], [""], node,
                    ["default"], [Int32(10)], Int64(30_000), [Int32(-1)], [Int64(0)], empty,
                ],
                arguments: "'{1,2}', '{1,1}', '{completed,completed}', '{0,0}', '{\"\",\"\"}', '\(node)', '{default}', '{10}', 30000, '{-1}', '{0}', '{0}'"
            )
            #expect(!plan.contains("jobs_lease"), "the claim statement reads the lease index:\n\(plan)")
            #expect(plan.contains("Index Scan using jobs_pkey"), "\(plan)")
            #expect(plan.contains("Index Scan using jobs_claim") || plan.contains("Index Only Scan using jobs_claim"), "\(plan)")
        }
    }

    @Test func leasesAreExtendedThroughThePrimaryKey() throws {
        try TestDatabase.with { db in
            try midDrain(db)
            let node = UUID().uuidString.lowercased()
            let plan = try genericPlan(
                db, JobSQL.extendLeases,
                prepareWith: [[Int64(1)], [Int32(1)], Int64(30_000), node],
                arguments: "'{1,2}', '{1,1}', 30000, '\(node)'"
            )
            #expect(!plan.contains("jobs_lease"), "lease extension reads the lease index:\n\(plan)")
            #expect(plan.contains("jobs_pkey"), "\(plan)")
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
}
