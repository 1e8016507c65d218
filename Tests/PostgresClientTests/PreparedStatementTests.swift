import KheoTesting
import PostgresClient
import Testing

@Suite struct PreparedStatementTests {
    static let insert = PreparedStatement(name: "test.items.insert", sql: "INSERT INTO items (id, name) VALUES ($1, $2) RETURNING id")
    static let byName = PreparedStatement(name: "test.items.by_name", sql: "SELECT id FROM items WHERE name = $1")

    @Test func preparesOnceAndRunsManyTimes() throws {
        try TestDatabase.with(migrated: false, pool: .init(maximumConnections: 1)) { db in
            try db.pool.query("CREATE TABLE items (id int8 PRIMARY KEY, name text)")
            for id in 1...50 {
                let inserted: Int = try db.pool.query(Self.insert, id, "item \(id)").single().decode(0)
                #expect(inserted == id)
            }
            let prepared: Int = try db.pool.query("SELECT count(*) FROM pg_prepared_statements WHERE name = $1", Self.insert.name).single().decode(0)
            #expect(prepared == 1)
            #expect(try db.pool.query(Self.byName, "item 7").single().decode(0, as: Int.self) == 7)
        }
    }

    @Test func errorsNameTheStatementButNotItsValues() throws {
        try TestDatabase.with(migrated: false) { db in
            try db.pool.query("CREATE TABLE items (id int8 PRIMARY KEY, name text)")
            try db.pool.query(Self.insert, 1, "bí mật")
            do {
                try db.pool.query(Self.insert, 1, "bí mật")
                Issue.record("a duplicate key was accepted")
            } catch let error as PostgresError {
                #expect(error.code == .server)
                #expect(error.isUniqueViolation)
                #expect(error.sqlState == "23505")
                #expect(error.statement == Self.insert.name)
                #expect(error.description.contains(Self.insert.name))
                #expect(!error.description.contains("bí mật"))
                #expect(error.detail?.contains("(id)=(1)") == true)
            }
        }
    }

    @Test func survivesTheServerForgettingIt() throws {
        try TestDatabase.with(migrated: false, pool: .init(maximumConnections: 1)) { db in
            try db.pool.query("CREATE TABLE items (id int8 PRIMARY KEY, name text)")
            try db.pool.query(Self.insert, 1, "a")
            try db.pool.query("DEALLOCATE ALL")
            try db.pool.query(Self.insert, 2, "b")
            #expect(try db.pool.query("SELECT count(*) FROM items").single().decode(0, as: Int.self) == 2)
        }
    }
}
