import Dispatch
import Foundation
import KheoTesting
import LocalPostgres
import PostgresClient
import Synchronization
import Testing

@Suite struct PoolTests {
    @Test func anExhaustedPoolTimesOutWithATypedError() throws {
        try TestDatabase.with(migrated: false, pool: .init(maximumConnections: 2, checkoutTimeout: .milliseconds(200))) { db in
            let held = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            let group = DispatchGroup()
            for _ in 0..<2 {
                DispatchQueue.global().async(group: group) {
                    try? db.pool.withConnection { _ in
                        held.signal()
                        release.wait()
                    }
                }
            }
            held.wait()
            held.wait()
            let started = ContinuousClock.now
            #expect {
                try db.pool.query("SELECT 1")
            } throws: { error in
                let error = error as! PostgresError
                return error.code == .poolTimeout && error.message.contains("2 of 2")
            }
            #expect(ContinuousClock.now - started >= .milliseconds(200))
            release.signal()
            release.signal()
            group.wait()
            let rows = try db.pool.query("SELECT 1")
            #expect(rows.count == 1)
            #expect(db.pool.statistics.open <= 2)
        }
    }

    @Test func manyThreadsShareABoundedPool() throws {
        try TestDatabase.with(migrated: false, pool: .init(maximumConnections: 4)) { db in
            try db.pool.query("CREATE TABLE hits (thread int8, n int8)")
            let failures = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: 16) { thread in
                for n in 0..<25 {
                    do { try db.pool.query("INSERT INTO hits VALUES ($1, $2)", thread, n) } catch { failures.add(1, ordering: .relaxed) }
                }
            }
            #expect(failures.load(ordering: .relaxed) == 0)
            #expect(try db.pool.query("SELECT count(*) FROM hits").single().decode(0, as: Int.self) == 400)
            #expect(db.pool.statistics.opened <= 4)
        }
    }

    @Test func recoversAfterItsBackendsAreTerminated() throws {
        try TestDatabase.with(migrated: false, pool: .init(maximumConnections: 4)) { db in
            try warm(db.pool, connections: 4)
            let before = db.pool.statistics
            #expect(before.open == 4)

            let admin = try TestDatabase.adminConnection()
            let terminated: Int = try admin.query(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()) t",
                db.name
            ).single().decode(0)
            #expect(terminated == 4)
            try waitUntil { try admin.query("SELECT count(*) FROM pg_stat_activity WHERE datname = $1", db.name).single().decode(0, as: Int.self) == 0 }

            // Every checkout now finds its idle connection dead, replaces it, and succeeds.
            try warm(db.pool, connections: 4)
            let after = db.pool.statistics
            #expect(after.discarded - before.discarded == 4)
            #expect(after.opened - before.opened == 4)
            #expect(after.open == 4)
        }
    }

    @Test func recoversAfterAServerRestart() throws {
        try TestCluster.withPrivateCluster { cluster in
            let pool = try PostgresConnectionPool(cluster.connectionConfiguration, configuration: .init(maximumConnections: 3))
            try warm(pool, connections: 3)
            try cluster.restart()
            try warm(pool, connections: 3)
            #expect(pool.statistics.discarded == 3)
            #expect(try pool.query("SELECT 1").count == 1)
        }
    }

    @Test func aRestartMidQueryIsConnectionLostAndThePoolCarriesOn() throws {
        try TestCluster.withPrivateCluster { cluster in
            let pool = try PostgresConnectionPool(cluster.connectionConfiguration, configuration: .init(maximumConnections: 2))
            let outcome = Mutex<Result<Void, PostgresError>?>(nil)
            let done = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                do {
                    try pool.query("SELECT pg_sleep(30)")
                    outcome.withLock { $0 = .success(()) }
                } catch let error as PostgresError {
                    outcome.withLock { $0 = .failure(error) }
                } catch {
                    Issue.record(error)
                }
                done.signal()
            }
            let admin = try PostgresConnection.connect(to: cluster.connectionConfiguration)
            try waitUntil { try admin.query("SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)'").single().decode(0, as: Int.self) == 1 }
            try cluster.restart()
            done.wait()
            guard case .failure(let error) = outcome.withLock({ $0 }) else {
                Issue.record("the query survived a restart")
                return
            }
            #expect(error.code == .connectionLost)
            #expect(error.isTransient)
            #expect(try pool.query("SELECT 1").count == 1)
        }
    }

    @Test func aClosedPoolRefusesCheckouts() throws {
        try TestDatabase.with(migrated: false) { db in
            let pool = try PostgresConnectionPool(db.configuration)
            try pool.query("SELECT 1")
            pool.close()
            #expect { try pool.query("SELECT 1") } throws: { ($0 as? PostgresError)?.code == .poolClosed }
        }
    }

    @Test func refusesAnEmptyPool() {
        #expect {
            try PostgresConnectionPool(PostgresConfiguration(), configuration: .init(maximumConnections: 0))
        } throws: { ($0 as? PostgresError)?.code == .invalidConfiguration }
    }

    private func warm(_ pool: PostgresConnectionPool, connections: Int) throws {
        let errors = Mutex<[any Error]>([])
        let inside = DispatchGroup()
        let release = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        for _ in 0..<connections {
            inside.enter()
            DispatchQueue.global().async(group: group) {
                do {
                    try pool.withConnection { connection in
                        _ = try connection.query("SELECT 1")
                        inside.leave()
                        release.wait()
                    }
                } catch {
                    errors.withLock { $0.append(error) }
                    inside.leave()
                }
            }
        }
        inside.wait()
        for _ in 0..<connections { release.signal() }
        group.wait()
        if let first = errors.withLock({ $0.first }) { throw first }
    }
}

/// Polls `condition` until it holds, failing after 10 seconds.
func waitUntil(_ condition: () throws -> Bool) throws {
    let deadline = ContinuousClock.now + .seconds(10)
    while try !condition() {
        guard ContinuousClock.now < deadline else { throw TestHarnessError("condition not met within 10 s") }
        // The condition is the server's (pg_stat_activity, a row): it has no signal to wait on.
        Thread.sleep(forTimeInterval: 0.02)
    }
}
