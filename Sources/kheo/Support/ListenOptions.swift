import ArgumentParser
import Foundation
import PostgresClient

/// `--listen-url` (or `KHEO_LISTEN_URL`) of `kheo work` and `kheo serve`: where a process
/// whose `DATABASE_URL` goes through PgBouncer in transaction mode `LISTEN`s.
struct ListenOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "PostgreSQL's own URL, to LISTEN for new jobs (and kheo serve's token changes) when DATABASE_URL goes through PgBouncer in transaction mode (pool_mode=transaction). Also KHEO_LISTEN_URL.",
        discussion: "Without it a worker polls every 0.2 s and the API keeps no token cache. Never logged: it may hold a password."
    ))
    var listenURL: String?

    /// The database to listen on, if one was given.
    func notificationDatabase() throws -> PostgresConfiguration? {
        let url = listenURL ?? ProcessInfo.processInfo.environment["KHEO_LISTEN_URL"].flatMap { $0.isEmpty ? nil : $0 }
        return try url.map { try PostgresConfiguration(url: $0) }
    }
}
