import KheoTesting
import LocalPostgres
import PostgresClient
import Testing

/// The client behind PgBouncer 1.18 in transaction mode (`pool_mode=transaction`):
/// nothing it relies on may outlive a transaction on the server. The private
/// PgBouncers here lend ONE server session to every client, so anything left on it
/// (a named statement, a session setting, an open transaction) shows up in the next
/// client's transaction.
@Suite struct TransactionPoolingTests {
    static let count = PreparedStatement(name: "test.pooling.count", sql: "SELECT count(*) FROM items WHERE id <= $1")

    /// Two clients, one server session, statements alternating: each client's named
    /// statement would be missing, or already there, for the other.
    @Test func preparedStatementsRunUnnamedAndInterleave() throws {
        try TestDatabase.with(migrated: false) { db in
            try db.pool.query("CREATE TABLE items (id int8 PRIMARY KEY)")
            try db.pool.query("INSERT INTO items SELECT generate_series(1, 100)")
            let bouncer = try LocalPgBouncer.start(inFrontOf: db.configuration, poolSize: 1)
            defer { bouncer.stop() }
            let first = try PostgresConnection.connect(to: bouncer.address(of: db.name))
            let second = try PostgresConnection.connect(to: bouncer.address(of: db.name))
            for limit in 1...20 {
                #expect(try first.query(Self.count, limit).single().decode(0, as: Int.self) == limit)
                #expect(try second.query(Self.count, limit * 2).single().decode(0, as: Int.self) == limit * 2)
            }
        }
    }

    /// `use(settings:)` holds for each statement and each transaction of the client
    /// that asked, and never for another client on the same server session.
    @Test func settingsHoldPerTransactionAndNeverLeak() throws {
        try TestDatabase.with(migrated: false) { db in
            let bouncer = try LocalPgBouncer.start(inFrontOf: db.configuration, poolSize: 1)
            defer { bouncer.stop() }
            let worker = try PostgresConnection.connect(to: bouncer.address(of: db.name))
            let other = try PostgresConnection.connect(to: bouncer.address(of: db.name))
            try worker.use(settings: ["enable_seqscan": "off", "jit": "off"])
            for _ in 0..<3 {
                let seen = try worker.query("SELECT current_setting('enable_seqscan') AS scan, current_setting('jit') AS jit").single()
                #expect(try seen.decode("scan", as: String.self) == "off")
                #expect(try seen.decode("jit", as: String.self) == "off")
                #expect(try other.query("SELECT current_setting('enable_seqscan')").single().decode(0, as: String.self) == "on")
                let inTransaction: String = try worker.transaction { connection in
                    try connection.query("SELECT current_setting('enable_seqscan')").single().decode(0)
                }
                #expect(inTransaction == "off")
                #expect(try other.query("SELECT current_setting('jit')").single().decode(0, as: String.self) == "on")
            }
        }
    }

    /// A statement that fails behind the settings throws the server's error, leaves no
    /// transaction open on the shared session, and the connection carries on.
    @Test func aFailureBehindTheSettingsLeavesTheSessionClean() throws {
        try TestDatabase.with(migrated: false) { db in
            let bouncer = try LocalPgBouncer.start(inFrontOf: db.configuration, poolSize: 1)
            defer { bouncer.stop() }
            let worker = try PostgresConnection.connect(to: bouncer.address(of: db.name))
            let other = try PostgresConnection.connect(to: bouncer.address(of: db.name))
            try worker.use(settings: ["enable_seqscan": "off"])
            #expect {
                try worker.query("SELECT 1 / $1::int", 0)
            } throws: { error in
                (error as? PostgresError)?.sqlState == "22012"
            }
            #expect(try other.query("SELECT 2").single().decode(0, as: Int.self) == 2)
            #expect(try worker.query("SELECT 3").single().decode(0, as: Int.self) == 3)
            #expect(worker.isOpen)
        }
    }

    /// LISTEN and the migrator's advisory lock need a session; behind a transaction
    /// pooler they are refused with what to do, not silently lost.
    @Test func sessionStateIsRefused() throws {
        try TestDatabase.with(migrated: false) { db in
            let pooled = try PostgresConnection.connect(to: try db.throughPgBouncer())
            #expect {
                try pooled.listen("kheo_jobs")
            } throws: { error in
                guard let error = error as? PostgresError else { return false }
                return error.code == .invalidConfiguration && error.description.contains("pool_mode=transaction")
            }
        }
    }
}
