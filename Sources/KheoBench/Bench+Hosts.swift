import Foundation
import Kheo
import KheoCLIKit
import LocalPostgres
import PostgresClient

extension Bench {
    // MARK: (j) worker nodes on separate hosts

    /// Drains a backlog with 1, 2 and 4 `kheo work` nodes, each in a network namespace
    /// of its own (a veth pair to this one, `NetworkNamespace`), reaching PostgreSQL
    /// through a PgBouncer in transaction mode that listens on every link, as worker
    /// hosts reach a database host. Each figure's ceiling is pgbench's claim-and-complete
    /// (a worker's round trip, `claimAndCompleteScript`) with as many clients, on the
    /// server's own socket. Needs root (`ip netns`).
    func drainAcrossHosts() throws -> [BenchReport.HostsDrain] {
        let backlog = sizes.hostsBacklog
        let hosts = try (1...4).map { try NetworkNamespace.create(index: $0) }
        defer { hosts.forEach { $0.destroy() } }
        let bouncer = try LocalPgBouncer.start(
            inFrontOf: configuration, poolSize: 20, listenAddresses: ["127.0.0.1"] + hosts.map(\.hostAddress)
        )
        defer { bouncer.stop() }
        // pgbench through the pooler cannot send session options (PgBouncer drops
        // them): the workers' session settings go on the database instead, for the
        // pooler's server sessions, which open after this.
        let database = try connection.quoteIdentifier(configuration.database ?? "")
        for (name, value) in WorkerSession.settings.sorted(by: { $0.key < $1.key }) {
            try connection.execute(script: "ALTER DATABASE \(database) SET \(name) = '\(value)'")
        }
        defer { _ = try? connection.execute(script: "ALTER DATABASE \(database) RESET ALL") }
        let pooledURL = "postgresql://\(bouncer.address.user ?? "kheo")@127.0.0.1:\(bouncer.port)/\(configuration.database ?? "")"
        var results: [BenchReport.HostsDrain] = []
        for nodes in [1, 2, 4] {
            let ceilingQueue = Self.queuePrefix + "hosts-ceiling"
            progress("hosts: pgbench with \(nodes) client(s) claims and completes \(backlog) jobs, 100 at a time")
            try fillBacklog(queue: ceilingQueue, count: backlog)
            try connection.execute(script: "VACUUM ANALYZE kheo.jobs")
            let ceiling = try pgbench.run(
                script: Self.claimAndCompleteScript(queue: ceilingQueue), clients: nodes, transactionsPerClient: backlog / 100 / nodes,
                settings: WorkerSession.settings, variables: Self.claimAndCompleteVariables
            ) * 100
            try cleanUp()
            progress("hosts: pgbench with \(nodes) client(s), the same through PgBouncer with unnamed statements")
            try fillBacklog(queue: ceilingQueue, count: backlog)
            try connection.execute(script: "VACUUM ANALYZE kheo.jobs")
            let pooledCeiling = try pgbench.run(
                script: Self.claimAndCompleteScript(queue: ceilingQueue), clients: nodes, transactionsPerClient: backlog / 100 / nodes,
                variables: Self.claimAndCompleteVariables, protocol: "extended", url: pooledURL
            ) * 100
            try cleanUp()

            let queue = Self.queuePrefix + "hosts"
            progress("hosts: \(nodes) node(s) × 100 slots, each on a host of its own, through PgBouncer (transaction mode)")
            try fillBacklog(queue: queue, count: backlog)
            try connection.execute(script: "VACUUM ANALYZE kheo.jobs")
            let workers = try hosts.prefix(nodes).map { host in
                try WorkerProcess.start(
                    queue: queue, url: bouncer.address(of: configuration.database ?? "", at: host.hostAddress).url,
                    extra: ["--no-prune"], in: host
                )
            }
            for worker in workers { try worker.finish() }
            let (completed, seconds) = try drained(queue: queue, expected: backlog)
            try cleanUp()
            results.append(BenchReport.HostsDrain(
                nodes: nodes,
                drain: BenchReport.Throughput(jobs: completed, jobsPerSecond: Double(completed) / seconds, ceilingPerSecond: ceiling, target: 0.7),
                pooledCeilingPerSecond: pooledCeiling
            ))
        }
        return results
    }
}
