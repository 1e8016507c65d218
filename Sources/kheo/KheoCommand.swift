import ArgumentParser
import Foundation

/// `kheo`: the one executable of the Kheo job queue.
@main
struct KheoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kheo",
        abstract: "Kheo: a PostgreSQL job queue, and the Dân vận khéo administration built on it.",
        discussion: """
            Every command uses DATABASE_URL when it is set. Without it, Kheo starts (or
            reuses) its own PostgreSQL cluster under KHEO_HOME, reachable only through a
            Unix socket.

            Start here:  kheo demo
            """,
        version: "0.1.0",
        subcommands: [
            DemoCommand.self, EnqueueCommand.self, WorkCommand.self, JobsCommand.self, QueuesCommand.self,
            CronCommand.self, UnitsCommand.self, SetupCommand.self, ServeCommand.self, TokensCommand.self, BenchCommand.self, MigrateCommand.self, DatabaseCommand.self,
        ]
    )

    /// Clears the blocked-signal mask before anything else runs. A parent may start us
    /// with signals blocked (test runners and some supervisors do), and a blocked
    /// SIGTERM would never reach the worker's shutdown handler, nor SIGALRM pgbench's
    /// timer in the bench.
    static func main() {
        var empty = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, nil)
        Self.main(nil)
    }
}
