import Dispatch
import Kheo
import KheoTesting
import PostgresClient
import Synchronization
import Testing

@Suite struct MigratorTests {
    static let schema = Migration(line: "kheo", version: 1, name: "0001_kheo_schema", sql: "CREATE SCHEMA IF NOT EXISTS kheo;")
    static let units = Migration(line: "kheo", version: 2, name: "0002_units", sql: "CREATE TABLE kheo.units (id int8 PRIMARY KEY, name text NOT NULL);")
    static let slow = Migration(line: "kheo", version: 3, name: "0003_slow", sql: "SELECT pg_sleep(0.5); CREATE TABLE kheo.slow (id int8);")

    private func versions(_ connection: PostgresConnection) throws -> [Int] {
        try connection.query("SELECT version FROM kheo.schema_migrations ORDER BY version").map { try $0.decode(0) }
    }

    @Test func appliesTheEmbeddedMigrationsOnceAndInOrder() throws {
        try TestDatabase.with(migrated: false) { db in
            let connection = try db.connect()
            let migrator = Migrator()
            #expect(migrator.migrations.first?.name == "0001_kheo_schema")
            let numbered = migrator.migrations.filter { !$0.isFunction }
            #expect(numbered.map(\.version) == Array(1...numbered.count), "the engine's line counts from 1 without gaps")
            let functionsAfter = migrator.migrations.drop { !$0.isFunction }.allSatisfy { $0.isFunction }
            #expect(functionsAfter, "its functions come after")
            #expect(migrator.lines == ["kheo"])
            #expect(try migrator.status(on: connection).allSatisfy { $0.state == .pending })

            let applied = try migrator.migrate(on: connection)
            #expect(applied == migrator.migrations)
            #expect(try versions(connection) == numbered.map(\.version))
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
            let edited = Migration(line: "kheo", version: 2, name: "0002_units", sql: Self.units.sql + "\nALTER TABLE kheo.units ADD COLUMN code text;")
            let migrator = Migrator(migrations: [Self.schema, edited, Self.slow])
            #expect(try migrator.status(on: connection).map(\.state).contains { if case .changed = $0 { true } else { false } })
            do {
                try migrator.migrate(on: connection)
                Issue.record("an edited migration was accepted")
            } catch let error as MigrationError {
                #expect(error.reason == .changedAfterApplying(line: "kheo", version: 2, name: "0002_units"))
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
            #expect(throws: MigrationError(reason: .unknownApplied(line: "kheo", version: 2, name: "0002_units"))) {
                try Migrator(migrations: [Self.schema]).migrate(on: connection)
            }
        }
    }

    @Test func aMigrationNumberedBelowAnAppliedOneIsRefused() throws {
        try TestDatabase.with(migrated: false) { db in
            let connection = try db.connect()
            try Migrator(migrations: [Self.schema, Self.slow]).migrate(on: connection)
            #expect(throws: MigrationError(reason: .outOfOrder(line: "kheo", version: 2, name: "0002_units", newestApplied: 3))) {
                try Migrator(migrations: [Self.schema, Self.units, Self.slow]).migrate(on: connection)
            }
        }
    }

    @Test func aFailingMigrationLeavesNoTraceOfItself() throws {
        try TestDatabase.with(migrated: false) { db in
            let connection = try db.connect()
            let broken = Migration(line: "kheo", version: 2, name: "0002_broken", sql: "CREATE TABLE kheo.half (id int8); SELECT 1/0;")
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

/// Function files: applied after the numbered migrations, again when their text
/// changes, and not otherwise.
@Suite struct FunctionFileTests {
    static let table = Migration(line: "kheo", version: 1, name: "0001_kheo_schema", sql: "CREATE SCHEMA IF NOT EXISTS kheo; CREATE TABLE kheo.t (n int);")
    static func answer(_ n: Int) -> Migration {
        Migration(line: "kheo", function: "functions/answer", sql: "CREATE OR REPLACE FUNCTION kheo.answer() RETURNS int LANGUAGE sql AS $$ SELECT \(n) $$;")
    }

    @Test func aFunctionFileIsAppliedAgainOnlyWhenItsTextChanges() throws {
        try TestDatabase.with(migrated: false) { db in
            let connection = try db.connect()
            let first = try Migrator(migrations: [Self.answer(41), Self.table]).migrate(on: connection)
            #expect(first.map(\.name) == ["0001_kheo_schema", "functions/answer"], "numbered first, functions after")
            #expect(try connection.query("SELECT kheo.answer()").single().decode(0, as: Int32.self) == 41)
            #expect(try Migrator(migrations: [Self.table, Self.answer(41)]).migrate(on: connection).isEmpty)

            let edited = Migrator(migrations: [Self.table, Self.answer(42)])
            #expect(try edited.status(on: connection).last?.state == .pending, "an edited function is pending, not refused")
            #expect(try edited.migrate(on: connection).map(\.name) == ["functions/answer"])
            #expect(try connection.query("SELECT kheo.answer()").single().decode(0, as: Int32.self) == 42)
            #expect(try edited.migrate(on: connection).isEmpty)
            let recorded: Int64 = try connection.query("SELECT count(*) FROM kheo.schema_functions").single().decode(0)
            #expect(recorded == 1)
        }
    }
}

/// A database migrated by the last kheo before schema lines (one shared sequence,
/// `kheo.schema_migrations` keyed by version) upgrades in place.
@Suite struct SchemaLineUpgradeTests {
    /// The files as that kheo numbered them, in the order it applied them.
    static let legacyOrder = [
        "0001_kheo_schema", "0002_jobs", "0003_recorded_effects", "0004_unique_jobs", "0005_job_control",
        "0006_pruning_and_leadership", "0007_periodic_jobs", "0008_danvan_units", "0009_danvan_models", "0010_danvan_deadlines",
        "0011_danvan_statistics", "0012_danvan_inspections", "0013_danvan_reports", "0014_danvan_activities", "0015_danvan_webhooks",
        "0016_danvan_statistics_without_row_checks", "0017_danvan_api_tokens", "0018_danvan_api_idempotency", "0019_jobs_by_tag",
        "0020_danvan_api_tokens_notify", "0021_danvan_authority", "0022_plans_whatever_the_statistics", "0023_danvan_units_over_time",
        "0024_danvan_campaign_periods", "0025_danvan_unit_kinds", "0026_danvan_codes_and_clusters", "0027_danvan_people_and_supervision",
        "0028_danvan_model_substance", "0029_danvan_records_in_campaigns", "0030_danvan_plan_pins_and_revisions",
        "0031_danvan_statistics_inputs", "0032_danvan_console_sessions", "0033_node_slots", "0034_jobs_failed", "0035_danvan_documents",
        "0036_danvan_statistics_in_place", "0037_periodic_entries_registered",
    ]

    /// Migrations written after schema lines came.
    static func addedSince(_ migration: Migration) -> Bool {
        (migration.line == "kheo" && migration.version >= 12) || (migration.line == "danvan" && migration.version >= 24)
            || (migration.line == "kheo_test" && migration.version >= 2)
    }

    /// Builds the database as that kheo left it: the same texts, applied in its order,
    /// recorded in its history table.
    static func makeLegacyDatabase(_ connection: PostgresConnection) throws {
        // Today's migrations as they stood then: numbered ones only, and none added since.
        let all = TestSchema.binary.migrations.filter { !$0.isFunction && !Self.addedSince($0) }
        let bySlug = Dictionary(uniqueKeysWithValues: all.map { ($0.slug, $0) })
        #expect(all.count == legacyOrder.count, "every migration of today's lines was one of the shared sequence")
        for legacy in legacyOrder {
            let slug = String(legacy.drop { $0 != "_" }.dropFirst())
            let migration = try #require(bySlug[slug], "\(legacy) has no migration now")
            try connection.transaction { transaction in
                try transaction.execute(script: migration.sql)
                try transaction.execute(script: """
                    CREATE TABLE IF NOT EXISTS kheo.schema_migrations (
                        version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """)
                try transaction.query(
                    "INSERT INTO kheo.schema_migrations (version, name, checksum) VALUES ($1, $2, encode(sha256(convert_to($3, 'UTF8')), 'hex'))",
                    Int(legacy.prefix(4))!, legacy, migration.sql
                )
            }
        }
    }

    @Test func aDatabaseFromBeforeSchemaLinesUpgradesInPlaceAndKeepsEveryJob() throws {
        try TestDatabase.with(migrated: false) { db in
            let connection = try db.connect()
            try Self.makeLegacyDatabase(connection)
            // As that kheo's producer wrote them (today's names columns it did not have).
            let ids = try connection.query("""
                INSERT INTO kheo.jobs (kind, args, priority)
                SELECT 'kheo.record', jsonb_build_object('ms', n % 3), n % 4 FROM generate_series(0, 249) AS n ORDER BY n
                RETURNING id
                """).map { try $0.decode("id", as: Int64.self) }.sorted()
            try connection.query("UPDATE kheo.jobs SET state = 'completed', finalized_at = now() WHERE id = ANY($1::int8[])", Array(ids.prefix(50)))
            let before: String = try connection.query("SELECT md5(string_agg(id || state::text || args::text, ',' ORDER BY id)) FROM kheo.jobs").single().decode(0)

            // An engine-only binary upgrades the rows it knows and leaves the domain's.
            let engine = Migrator(migrations: TestSchema.engine.migrations)
            #expect(
                try engine.migrate(on: connection).map(\.name) == [
                    "0012_functions_only_swift_called", "0013_job_history", "0014_job_counts", "0015_queue_limits",
                    "0002_recorded_runs",
                    "functions/cancel_jobs", "functions/claim_limited", "functions/enqueue", "functions/retry_jobs",
                    "functions/unique_key",
                ],
                "only what the engine added since"
            )
            let waiting: Int64 = try connection.query("SELECT count(*) FROM kheo.schema_migrations WHERE line = ''").single().decode(0)
            let engineThen = TestSchema.engine.migrations.filter { !$0.isFunction && !Self.addedSince($0) }
            #expect(waiting == Int64(Self.legacyOrder.count - engineThen.count))

            // The full binary upgrades the rest, applies only what the domain added since
            // (a migration, and its functions as files), and sees every migration applied.
            let full = Migrator(migrations: TestSchema.binary.migrations)
            let added = try full.migrate(on: connection)
            #expect(added.filter { !$0.isFunction }.map(\.name) == ["0024_danvan_clock_without_simulation"])
            #expect(added.filter(\.isFunction).count == TestSchema.binary.migrations.filter { $0.isFunction && $0.line == "danvan" }.count)
            for status in try full.status(on: connection) {
                guard case .applied = status.state else { Issue.record("\(status.line)/\(status.name) is \(status.state)"); continue }
            }
            let rows = try connection.query("SELECT line, version, name FROM kheo.schema_migrations ORDER BY line, version").map {
                "\(try $0.decode("line", as: String.self))/\(try $0.decode("name", as: String.self))"
            }
            #expect(rows == TestSchema.binary.migrations.filter { !$0.isFunction }.map { "\($0.line)/\($0.name)" }.sorted())
            let after: String = try connection.query("SELECT md5(string_agg(id || state::text || args::text, ',' ORDER BY id)) FROM kheo.all_jobs").single().decode(0)
            #expect(after == before, "every job is as it was")

            // The finished jobs move to the history in batches, after the migration,
            // and are the same jobs there.
            let moved = try HistoryArchiver(batchSize: 20).archive(on: db.pool)
            #expect(moved.moved == 50 && moved.batches == 3)
            #expect(try count("SELECT count(*) FROM kheo.job_history WHERE state = 'completed'", in: db) == 50)
            #expect(try count("SELECT count(*) FROM kheo.jobs WHERE state = 'completed'", in: db) == 0)
            let archived: String = try connection.query("SELECT md5(string_agg(id || state::text || args::text, ',' ORDER BY id)) FROM kheo.all_jobs").single().decode(0)
            #expect(archived == before, "every job is as it was, wherever it is")

            // And the queue works on the upgraded schema.
            let next = try Producer().enqueue(try JobRequest(BuiltinJobs.Noop()), on: connection)
            #expect(next > ids.max()!)
        }
    }
}
