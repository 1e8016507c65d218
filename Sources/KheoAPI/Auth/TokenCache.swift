import DanVan
import Foundation
import Logging
import PostgresClient
import Synchronization

/// The principals of tokens this server checked in the last few seconds, so most
/// requests authenticate without a round trip to the database.
///
/// A revoked token must stop working at once, not when its entry expires, so the cache
/// answers only while a connection of its own `LISTEN`s on `kheo_api_tokens`: a trigger
/// (migration 0020) notifies it of any change to the tokens table, at commit, and the
/// cache forgets everything. While that connection is down the cache answers nothing
/// and every request asks the database. A lookup that raced with a change is not
/// stored: each entry records the generation it was read in, and a change starts a new
/// one.
final class TokenCache: Sendable {
    static let channel = "kheo_api_tokens"

    private struct State {
        var entries: [String: (principal: Principal, expires: ContinuousClock.Instant)] = [:]
        var generation: UInt64 = 0
        var listening = false
    }

    private let state = Mutex(State())
    private let ttl: Duration
    private let capacity: Int
    private let database: PostgresConfiguration
    private let logger: Logger
    private let listener = Mutex<PostgresListener?>(nil)

    init(database: PostgresConfiguration, ttl: Duration = .seconds(10), capacity: Int = 10_000, logger: Logger) {
        self.database = database
        self.ttl = ttl
        self.capacity = capacity
        self.logger = logger
    }

    /// The cached principal of `token`, or nil (then ask the database and `store`).
    /// Also returns the generation to pass to `store`.
    func lookup(_ token: String) -> (principal: Principal?, generation: UInt64) {
        state.withLock { state in
            guard state.listening, let entry = state.entries[token] else { return (nil, state.generation) }
            guard entry.expires > .now else {
                state.entries[token] = nil
                return (nil, state.generation)
            }
            return (entry.principal, state.generation)
        }
    }

    /// Keeps what the database said, unless tokens changed since `generation`.
    func store(_ token: String, _ principal: Principal, generation: UInt64) {
        state.withLock { state in
            guard state.listening, state.generation == generation else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[token] = (principal, .now + ttl)
        }
    }

    private func forget(listening: Bool) {
        state.withLock { state in
            state.entries.removeAll()
            state.generation &+= 1
            state.listening = listening
        }
    }

    /// Starts listening and returns once the cache may answer (or after two seconds if
    /// the database cannot be reached; until then every request asks the database).
    func start() {
        let listener = PostgresListener(database: database, channels: [Self.channel], label: "token cache", logger: logger) { [self] event in
            switch event {
            case .listening, .notifications: forget(listening: true)
            case .lost: forget(listening: false)
            }
        }
        self.listener.withLock { $0 = listener }
        listener.start(waitingUpTo: .seconds(2))
    }

    /// Returns once the listening thread is done (a quarter second at most).
    func stop() {
        self.listener.withLock { $0 }?.stop()
        forget(listening: false)
    }
}
