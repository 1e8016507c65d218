import KheoTesting
import PostgresClient
import Testing

@Suite struct TransactionTests {
    struct Refusal: Error {}

    private func count(_ db: TestDatabase) throws -> Int {
        try db.pool.query("SELECT count(*) FROM items").single().decode(0)
    }

    @Test func commitsWhenTheBodyReturns() throws {
        try TestDatabase.with(migrated: false) { db in
            try db.pool.query("CREATE TABLE items (name text)")
            let result = try db.pool.transaction { tx in
                try tx.query("INSERT INTO items VALUES ('a'), ('b')")
                return "done"
            }
            #expect(result == "done")
            #expect(try count(db) == 2)
        }
    }

    @Test func rollsBackWhenTheBodyThrows() throws {
        try TestDatabase.with(migrated: false) { db in
            try db.pool.query("CREATE TABLE items (name text)")
            #expect(throws: Refusal.self) {
                try db.pool.transaction { tx in
                    try tx.query("INSERT INTO items VALUES ('a')")
                    throw Refusal()
                }
            }
            #expect(try count(db) == 0)
        }
    }

    @Test func nestedTransactionIsASavepoint() throws {
        try TestDatabase.with(migrated: false) { db in
            try db.pool.query("CREATE TABLE items (name text)")
            try db.pool.transaction { tx in
                try tx.query("INSERT INTO items VALUES ('outer')")
                #expect(throws: Refusal.self) {
                    try tx.transaction { inner in
                        try inner.query("INSERT INTO items VALUES ('inner, undone')")
                        throw Refusal()
                    }
                }
                try tx.transaction { inner in
                    try inner.query("INSERT INTO items VALUES ('inner, kept')")
                    // A failing statement inside a deeper savepoint spoils only that savepoint.
                    #expect(throws: PostgresError.self) {
                        try inner.transaction { deepest in try deepest.query("SELECT 1/0") }
                    }
                }
            }
            let names: [String] = try db.pool.query("SELECT name FROM items ORDER BY name").map { try $0.decode(0) }
            #expect(names == ["inner, kept", "outer"])
        }
    }

    @Test func aCaughtFailureCannotBeCommitted() throws {
        try TestDatabase.with(migrated: false) { db in
            try db.pool.query("CREATE TABLE items (name text UNIQUE)")
            #expect {
                try db.pool.transaction { tx in
                    try tx.query("INSERT INTO items VALUES ('a')")
                    _ = try? tx.query("INSERT INTO items VALUES ('a')")
                }
            } throws: { error in
                (error as? PostgresError)?.code == .transactionMisuse
            }
            #expect(try count(db) == 0)
        }
    }

    @Test func isolationLevelIsApplied() throws {
        try TestDatabase.with(migrated: false) { db in
            let level: String = try db.pool.transaction(isolation: .serializable) { tx in
                try tx.query("SHOW transaction_isolation").single().decode(0)
            }
            #expect(level == "serializable")
        }
    }

    @Test func aConnectionReturnedInsideATransactionIsNotReused() throws {
        try TestDatabase.with(migrated: false, pool: .init(maximumConnections: 1)) { db in
            let first = try db.pool.withConnection { connection in
                try connection.execute(script: "BEGIN")
                return connection.backendPID
            }
            let second = try db.pool.withConnection { $0.backendPID }
            #expect(first != second)
            #expect(try db.pool.query("SELECT 1").count == 1)
        }
    }
}
