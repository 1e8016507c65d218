import Dispatch
import Foundation
import KheoTesting
import Logging
import PostgresClient
import Synchronization
import Testing

/// `PostgresListener`: listening by the time `start` returns, hearing what is sent,
/// and listening again (and saying so) after its connection is cut.
@Suite struct ListenerTests {
    @Test func startReturnsListeningAndAConnectionCutIsRiddenOut() throws {
        try TestDatabase.with(migrated: false) { db in
            let events = Mutex<[String]>([])
            let heard = DispatchSemaphore(value: 0)
            let listener = PostgresListener(
                database: db.configuration, channels: ["kheo_test", "other channel; drop"], label: "test listener",
                logger: Logger(label: "test")
            ) { event in
                switch event {
                case .listening(let reconnected): events.withLock { $0.append(reconnected ? "listening again" : "listening") }
                case .notifications(let all):
                    events.withLock { $0 += all.map { "\($0.channel): \($0.payload)" } }
                    heard.signal()
                case .lost: events.withLock { $0.append("lost") }
                }
            }
            #expect(listener.start(waitingUpTo: .seconds(10)))
            defer { listener.stop() }
            // Sent right after `start` returned, with no wait: it is heard.
            let sender = try db.connect()
            try sender.notify("kheo_test", payload: "first")
            #expect(heard.wait(timeout: .now() + 10) == .success)

            // Cut its connection from the server's side; it reconnects and says so.
            let admin = try TestDatabase.adminConnection()
            try admin.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN%'", db.name
            )
            try waitUntil { events.withLock { $0.contains("listening again") } }
            try sender.notify("other channel; drop", payload: "second")
            #expect(heard.wait(timeout: .now() + 10) == .success)
            #expect(events.withLock { $0 } == ["listening", "kheo_test: first", "lost", "listening again", "other channel; drop: second"])
        }
    }

    /// With no database to reach, `start` gives up waiting after its timeout and the
    /// listener keeps trying in the background; `stop` ends it.
    @Test func startGivesUpWaitingWhenTheDatabaseIsUnreachable() throws {
        let nowhere = try PostgresConfiguration(url: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1")
        let lost = Atomic<Int>(0)
        let listener = PostgresListener(database: nowhere, channels: ["kheo_test"], label: "test listener", logger: Logger(label: "test")) { event in
            if case .lost = event { lost.add(1, ordering: .relaxed) }
        }
        let started = ContinuousClock.now
        #expect(!listener.start(waitingUpTo: .milliseconds(500)))
        #expect(started.duration(to: .now) < .seconds(5))
        listener.stop()
        #expect(lost.load(ordering: .relaxed) >= 1)
    }
}
