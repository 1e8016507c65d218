import ArgumentParser
import Foundation
import LocalPostgres
#if canImport(Glibc)
import Glibc
#endif

/// `kheo db …`: the embedded PostgreSQL cluster used when DATABASE_URL is unset.
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the embedded PostgreSQL cluster (used when DATABASE_URL is unset).",
        discussion: """
            The cluster lives in KHEO_HOME (default: ~/.local/share/kheo, or /var/lib/kheo
            for root) and listens only on a Unix socket there.

            Examples:
              kheo db start     initialise if needed and start it
              kheo db psql      open psql on Kheo's database
              eval "export DATABASE_URL=$(kheo db url)"
            """,
        subcommands: [Start.self, Stop.self, Status.self, URLCommand.self, PSQL.self]
    )

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Initialise (first time) and start the cluster.")
        func run() throws {
            let cluster = try DatabaseTarget.embeddedCluster()
            let outcome = try cluster.start()
            print("PostgreSQL \(outcome == .alreadyRunning ? "was already running" : "is running") at \(cluster.root)")
            print(cluster.url)
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the cluster (fast shutdown).")
        func run() throws {
            let cluster = try DatabaseTarget.embeddedCluster()
            try cluster.stop()
            print("PostgreSQL at \(cluster.root) is stopped.")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say whether the cluster exists and runs; exit 0 only if it runs.")
        func run() throws {
            let cluster = try DatabaseTarget.embeddedCluster()
            let status = try cluster.status()
            switch status {
            case .running: print("running at \(cluster.root)\n\(cluster.url)")
            case .stopped: print("stopped (data in \(cluster.dataDirectory)); start it with: kheo db start")
            case .notInitialized: print("not created yet (would live in \(cluster.root)); create it with: kheo db start")
            }
            if status != .running { throw ExitCode(3) }
        }
    }

    struct URLCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "url", abstract: "Print the connection URL of the cluster, starting it if needed.")
        func run() throws {
            let cluster = try DatabaseTarget.embeddedCluster()
            try cluster.start()
            print(cluster.url)
        }
    }

    struct PSQL: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "psql", abstract: "Open psql on Kheo's database, starting the cluster if needed.")
        func run() throws {
            let cluster = try DatabaseTarget.embeddedCluster()
            try cluster.start()
            let arguments = [cluster.binaries.psql, cluster.url]
            var cArguments = arguments.map { strdup($0) } + [nil]
            execv(cluster.binaries.psql, &cArguments)
            throw ValidationError("could not run \(cluster.binaries.psql): \(String(cString: strerror(errno)))")
        }
    }
}
