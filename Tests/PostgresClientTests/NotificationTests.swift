import Dispatch
import Foundation
import KheoTesting
import PostgresClient
import Synchronization
import Testing

@Suite struct NotificationTests {
    @Test func aWaitingListenerWakesWithin50Milliseconds() throws {
        try TestDatabase.with(migrated: false) { db in
            let channel = "kheo jobs; \"default\""  // metacharacters are quoted, not executed
            let ready = DispatchSemaphore(value: 0)
            let received = Mutex<(PostgresNotification?, ContinuousClock.Instant?)>((nil, nil))
            let listenerDone = DispatchSemaphore(value: 0)
            let failure = Mutex<(any Error)?>(nil)
            DispatchQueue.global().async {
                do {
                    let listener = try db.connect()
                    try listener.listen(channel)
                    ready.signal()
                    let notification = try listener.waitForNotification(timeout: .seconds(10))
                    let at = ContinuousClock.now
                    received.withLock { $0 = (notification, at) }
                } catch {
                    failure.withLock { $0 = error }
                    ready.signal()
                }
                listenerDone.signal()
            }
            ready.wait()
            // Let the listener reach poll(2) so the measurement is of the wake-up.
            Thread.sleep(forTimeInterval: 0.1)
            let sender = try db.connect()
            let sent = ContinuousClock.now
            try sender.notify(channel, payload: "queue=default")
            listenerDone.wait()
            if let error = failure.withLock({ $0 }) { throw error }
            let (notification, at) = received.withLock { $0 }
            #expect(notification?.channel == channel)
            #expect(notification?.payload == "queue=default")
            #expect(notification?.senderPID == sender.backendPID)
            let latency = try #require(at) - sent
            #expect(latency < .milliseconds(50), "delivered after \(latency)")
        }
    }

    @Test func theWaitTimesOutWhenNothingComes() throws {
        try TestDatabase.with(migrated: false) { db in
            let listener = try db.connect()
            try listener.listen("quiet")
            let started = ContinuousClock.now
            let notification = try listener.waitForNotification(timeout: .milliseconds(200))
            let waited = ContinuousClock.now - started
            #expect(notification == nil)
            #expect(waited >= .milliseconds(200))
            #expect(waited < .milliseconds(600))
        }
    }

    @Test func notificationsAreDeliveredOnCommitOnly() throws {
        try TestDatabase.with(migrated: false) { db in
            let listener = try db.connect()
            try listener.listen("jobs")
            let sender = try db.connect()
            #expect(throws: PostgresError.self) {
                try sender.transaction { tx in
                    try tx.notify("jobs", payload: "rolled back")
                    try tx.query("SELECT 1/0")
                }
            }
            try sender.transaction { tx in try tx.notify("jobs", payload: "committed") }
            let notification = try listener.waitForNotification(timeout: .seconds(5))
            #expect(notification?.payload == "committed")
            #expect(try listener.pendingNotifications().isEmpty)
        }
    }
}
