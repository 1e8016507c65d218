import Dispatch
import Foundation
import Kheo
import KheoTesting
import Logging
import PostgresClient
import Synchronization
import Testing

/// The maintainer runs every service on its schedule, the leader-only ones on one node
/// at a time; and the node reaper, one round at a time.
@Suite struct MaintainerTests {
    /// Counts its rounds by node and signals each one; runs again after `every`.
    struct Counting: MaintenanceService {
        let name: String
        let leaderOnly: Bool
        let node: String
        let rounds: Tally
        let ran: DispatchSemaphore
        var every: TimeInterval = 0.05

        func round(now: Date, pool: PostgresConnectionPool) throws -> MaintenanceRound {
            rounds.value.withLock { $0["\(node) \(name)", default: 0] += 1 }
            ran.signal()
            return MaintenanceRound(nextRun: now.addingTimeInterval(every))
        }
    }

    @Test func leaderOnlyServicesRunOnOneNodeAndEveryNodeServicesOnAll() throws {
        try TestDatabase.with { db in
            let rounds = Tally()
            let ran = DispatchSemaphore(value: 0)
            let nodes = [UUID().uuidString.lowercased(), UUID().uuidString.lowercased()]
            let threads = nodes.map { node in
                let maintainer = Maintainer(
                    services: [
                        Counting(name: "leader", leaderOnly: true, node: node, rounds: rounds, ran: ran),
                        Counting(name: "every", leaderOnly: false, node: node, rounds: rounds, ran: ran),
                    ],
                    nodeID: node, pool: db.pool, logger: Logger(label: "test"), term: .seconds(30)
                )
                let thread = ChoreThread(label: "test.maintenance")
                thread.start { maintainer.run(on: thread) }
                return thread
            }
            // Until each node has run its every-node service a few times.
            try waitUntil {
                _ = ran.wait(timeout: .now() + 1)
                let counts = rounds.value.withLock { $0 }
                return nodes.allSatisfy { counts["\($0) every", default: 0] >= 5 }
            }
            let counts = rounds.value.withLock { $0 }
            let leaders = nodes.filter { counts["\($0) leader", default: 0] > 0 }
            #expect(leaders.count == 1, "one node ran the leader-only service: \(counts)")
            #expect(try count("SELECT count(*) FROM kheo.leaders WHERE name = 'maintenance' AND node = $1::uuid", in: db, leaders.first ?? "") == 1)
            for thread in threads { thread.stop() }
            #expect(try count("SELECT count(*) FROM kheo.leaders", in: db) == 0, "a stopping leader hands the leadership over")
        }
    }

    @Test func theReaperForgetsOnlyNodesSilentPastItsLimit() throws {
        try TestDatabase.with { db in
            for (age, id) in [(7200, UUID()), (60, UUID())] {
                try db.pool.query(
                    """
                    INSERT INTO kheo.nodes (id, hostname, pid, queues, version, slots, heartbeat_at)
                    VALUES ($1::uuid, 'test', 1, '{default}', 'test', '{}', now() - make_interval(secs => $2))
                    """,
                    id.uuidString, Double(age)
                )
            }
            let reaper = NodeReaper(configuration: .init(forgetAfter: .seconds(3600)))
            #expect(try reaper.runOnce(on: db.pool) == 1)
            #expect(try reaper.runOnce(on: db.pool) == 0)
            #expect(try count("SELECT count(*) FROM kheo.nodes", in: db) == 1)
        }
    }
}

/// Rounds counted by "node service", shared by the value-type services.
final class Tally: Sendable {
    let value = Mutex<[String: Int]>([:])
}
