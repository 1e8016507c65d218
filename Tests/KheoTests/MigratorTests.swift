import Dispatch
import Kheo
import KheoTesting
import PostgresClient
import Synchronization
import Testing

@Suite struct MigratorTests {
    static let schema = Migration(version: 1, name: "0001_kheo_schema", sql: "CREATE SCHEMA IF NOT EXISTS kheo;")
    static let units = Migration(version: 2, name: "0002_units", sql: "CREATE TABLE kheo.units (id int8 PRIMARY KEY, name text NOT NULL);")
    static let slow = Migration(version: 3, name: "0003_slow", sql: "SELECT pg_sleep(0.5); CREATE TABLE kheo.slow (id int8);")

    private func versions(_ connection: PostgresConnection) throws -> [Int] {
        try connection.query("SELECT version FROM kheo.schema_migrations ORDER BY version").map { try $0.decode(0) }
    }

    @Test func appliesTheEmbeddedMigrationsOnceAndInOrder() throws {
        try TestDatabase.with(migrated: false) { db in
            let connection = try db.connect()
            let migrator = Migrator()
            #expect(migrator.migrations.first?.name == "0001_kheo_schema")
            #expect(migrator.migrations.map(\.version) == migrator.migrations.map(\.version).sorted())
            #expect(try migrator.status(on: connection).allSatisfy { $0.state == .pending })

            let applied = try migrator.migrate(on: connection)
            #expect(applied == migrator.migrations)
            #expect(try versions(connection) == migrator.migrations.map(\.version))
            #expect(try migrator.migrate(on: connection).isEmpty)
            for status in try migrator.status(on: connection) {
                guard case .applied = status.state else { Issue.record("\(status.name) is \(status.state)"); continue }
            }
            let checksum: String = try connection.query("SELECT checksum FROM kheo.schema_migrations WHERE version = 1").single().decode(0)
            #expect(checksum.count == 64)
        }
    }

    @Test func anEditedAppliedMigrationIsRefusedByName() throws {
        try TestDatabase.with(migrated: false) { db in
            let connection = try db.connect()
            try Migrator(migrations: [Self.schema, Self.units]).migrate(on: connection)
            let edited = Migration(version: 2, name: "0002_units", sql: Self.units.sql + "\nALTER TABLE kheo.units ADD COLUMN code text;")
            let migrator = Migrator(migrations: [Self.schema, edited, Self.slow])
            #expect(try migrator.status(on: connection).map(\.state).contains { if case .changed = $0 { true } else { false } })
            do {
                try migrator.migrate(on: connection)
                Issue.record("an edited migration was accepted")
            } catch let error as MigrationError {
                #expect(error.reason == .changedAfterApplying(version: 2, name: "0002_units"))
                #expect(error.description.contains("0002_units.sql"))
            }
            // Nothing after it ran either.
            #expect(try versions(connection) == [1, 2])
        }
    }

    @Test func aDatabaseFromANewerBinaryIsRefused() throws {
        try TestDatabase.with(migrated: false) { db in
            let connection = try db.connect()
            try Migrator(migrations: [Self.schema, Self.units]).migrate(on: connection)
            #expect(throws: MigrationError(reason: .unknownApplied(version: 2, name: "0002_units"))) {
                try Migrator(migrations: [Self.schema]).migrate(on: connection)
            }
        }
    }

    @Test func aMigrationNumberedBelowAnAppliedOneIsRefused() throws {
        try TestDatabase.with(migrated: false) { db in
            let connection = try db.connect()
            try Migrator(migrations: [Self.schema, Self.slow]).migrate(on: connection)
            #expect(throws: MigrationError(reason: .outOfOrder(version: 2, name: "0002_units", newestApplied: 3))) {
                try Migrator(migrations: [Self.schema, Self.units, Self.slow]).migrate(on: connection)
            }
        }
    }

    @Test func aFailingMigrationLeavesNoTraceOfItself() throws {
        try TestDatabase.with(migrated: false) { db in
            let connection = try db.connect()
            let broken = Migration(version: 2, name: "0002_broken", sql: "CREATE TABLE kheo.half (id int8); SELECT 1/0;")
            #expect(throws: PostgresError.self) {
                try Migrator(migrations: [Self.schema, broken]).migrate(on: connection)
            }
            #expect(try versions(connection) == [1])
            let half: Bool = try connection.query("SELECT to_regclass('kheo.half') IS NULL").single().decode(0)
            #expect(half)
            // The lock was released: a corrected set migrates.
            try Migrator(migrations: [Self.schema, Self.units]).migrate(on: connection)
            #expect(try versions(connection) == [1, 2])
        }
    }

    @Test func concurrentMigratorsApplyEachMigrationOnce() throws {
        try TestDatabase.with(migrated: false) { db in
            let migrations = [Self.schema, Self.units, Self.slow]
            let applied = Mutex<[[Int]]>([])
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 3) { _ in
                do {
                    let connection = try db.connect()
                    let done = try Migrator(migrations: migrations).migrate(on: connection)
                    applied.withLock { $0.append(done.map(\.version)) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 }.isEmpty)
            #expect(applied.withLock { $0 }.flatMap { $0 }.sorted() == [1, 2, 3])
            let recorded = try versions(try db.connect())
            #expect(recorded == [1, 2, 3])
        }
    }
}
