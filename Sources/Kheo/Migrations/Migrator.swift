public import Logging
public import PostgresClient
import Foundation

/// Applies schema lines to a database, each migration once, in order.
///
/// - The lines apply in the order they first appear in `migrations` (a line may
///   depend on the lines before it: the engine's first), each in version order.
/// - A session-level advisory lock serialises concurrent runs: a second `kheo migrate`
///   waits, then finds nothing left to do.
/// - Each migration runs in its own transaction together with its history row, so a
///   failing migration leaves neither a half-applied schema nor a false record.
/// - The history (`kheo.schema_migrations`) keys each migration by (line, version)
///   and keeps its SHA-256; an applied migration whose text changed is refused by
///   name before anything runs. Lines this binary does not carry are left alone.
/// - A line's function files (`sql/<line>/functions/*.sql`, `Migration.isFunction`)
///   apply after every numbered migration, and again whenever their text changes
///   (`kheo.schema_functions` keeps each one's checksum), under the same lock.
/// - A history written before schema lines (one shared sequence of numbers, `line`
///   empty) is upgraded in place on the next `migrate`: each row is matched to its
///   migration by the name after the number, which renumbering kept.
public struct Migrator: Sendable {
    /// Keys of the advisory lock held while migrating ('kheo' in ASCII, then 1).
    static let lockKeys: (Int32, Int32) = (0x6b68_656f, 1)

    public let migrations: [Migration]
    /// The lines this migrator manages, in the order they apply.
    public let lines: [String]
    private let logger: Logger

    public init(migrations: [Migration] = Migration.engine, logger: Logger = Logger(label: "kheo.migrate")) {
        var lines: [String] = []
        for migration in migrations where !lines.contains(migration.line) { lines.append(migration.line) }
        let rank = Dictionary(uniqueKeysWithValues: lines.enumerated().map { ($1, $0) })
        // Numbered migrations by line and version, then every line's functions, by line and name.
        self.migrations = migrations.sorted {
            ($0.isFunction ? 1 : 0, rank[$0.line]!, $0.version, $0.name) < ($1.isFunction ? 1 : 0, rank[$1.line]!, $1.version, $1.name)
        }
        self.lines = lines
        self.logger = logger
    }

    private struct Key: Hashable {
        let line: String
        let version: Int
    }

    /// Every migration known to the binary or recorded for one of its lines, and its state.
    public func status(on connection: PostgresConnection) throws -> [MigrationStatus] {
        let applied = try appliedMigrations(on: connection)
        let checksums = try self.checksums(on: connection)
        let functions = try appliedFunctions(on: connection)
        var statuses: [MigrationStatus] = []
        for (migration, checksum) in zip(migrations, checksums) {
            if migration.isFunction {
                // A function whose text changed is simply applied again.
                let record = functions[FunctionKey(line: migration.line, name: migration.name)]
                let state: MigrationStatus.State = record.map { $0.checksum == checksum ? .applied(at: $0.appliedAt) : .pending } ?? .pending
                statuses.append(MigrationStatus(line: migration.line, version: 0, name: migration.name, state: state))
                continue
            }
            let key = Key(line: migration.line, version: migration.version)
            let state: MigrationStatus.State
            if let record = applied[key] {
                state = record.checksum == checksum ? .applied(at: record.appliedAt) : .changed(appliedAt: record.appliedAt)
            } else {
                state = .pending
            }
            statuses.append(MigrationStatus(line: migration.line, version: migration.version, name: migration.name, state: state))
        }
        let known = Set(migrations.filter { !$0.isFunction }.map { Key(line: $0.line, version: $0.version) })
        for (key, record) in applied where !known.contains(key) {
            statuses.append(MigrationStatus(line: key.line, version: key.version, name: record.name, state: .unknown(appliedAt: record.appliedAt)))
        }
        let rank = Dictionary(uniqueKeysWithValues: lines.enumerated().map { ($1, $0) })
        return statuses.sorted {
            ($0.version == 0 ? 1 : 0, rank[$0.line]!, $0.version, $0.name) < ($1.version == 0 ? 1 : 0, rank[$1.line]!, $1.version, $1.name)
        }
    }

    /// Applies every pending migration and returns those it applied (none if current).
    ///
    /// Throws `MigrationError` (and applies nothing) if the history disagrees with the
    /// binary; throws `PostgresError` if a migration's SQL fails (that one is rolled
    /// back; those before it stay applied).
    @discardableResult
    public func migrate(on connection: PostgresConnection) throws -> [Migration] {
        let (classID, objectID) = Self.lockKeys
        // The lock is the session's, held across the migrations' transactions.
        try connection.requireSession(for: "kheo migrate (its advisory lock)")
        if try !connection.query("SELECT pg_try_advisory_lock($1, $2)", classID, objectID).single().decode(0, as: Bool.self) {
            logger.info("another kheo migrate is running; waiting for it to finish")
            try connection.query("SELECT pg_advisory_lock($1, $2)", classID, objectID)
        }
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1, $2)", classID, objectID) }

        try upgradeHistory(on: connection)
        let pending = try pendingMigrations(on: connection)
        for migration in pending {
            let started = ContinuousClock.now
            try connection.transaction { transaction in
                try transaction.execute(script: migration.sql)
                if migration.isFunction {
                    try ensureFunctionsTable(on: transaction)
                    try transaction.query(
                        """
                        INSERT INTO kheo.schema_functions (line, name, checksum) VALUES ($1, $2, encode(sha256(convert_to($3, 'UTF8')), 'hex'))
                        ON CONFLICT (line, name) DO UPDATE SET checksum = excluded.checksum, applied_at = now()
                        """,
                        migration.line, migration.name, migration.sql
                    )
                    return
                }
                try ensureHistoryTable(on: transaction)
                try transaction.query(
                    """
                    INSERT INTO kheo.schema_migrations (line, version, name, checksum)
                    VALUES ($1, $2, $3, encode(sha256(convert_to($4, 'UTF8')), 'hex'))
                    """,
                    migration.line, migration.version, migration.name, migration.sql
                )
            }
            logger.info("applied migration", metadata: [
                "line": "\(migration.line)", "version": "\(migration.version)", "name": "\(migration.name)",
                "duration": "\(ContinuousClock.now - started)",
            ])
        }
        return pending
    }

    /// The migrations still to apply, after checking the history against the binary.
    private func pendingMigrations(on connection: PostgresConnection) throws -> [Migration] {
        var newestApplied: [String: Int] = [:]
        var pendingKeys = Set<Key>()
        var pendingFunctions = Set<FunctionKey>()
        for status in try status(on: connection) {
            if status.version == 0 {
                if status.state == .pending { pendingFunctions.insert(FunctionKey(line: status.line, name: status.name)) }
                continue
            }
            switch status.state {
            case .changed: throw MigrationError(reason: .changedAfterApplying(line: status.line, version: status.version, name: status.name))
            case .unknown: throw MigrationError(reason: .unknownApplied(line: status.line, version: status.version, name: status.name))
            case .applied: newestApplied[status.line] = max(newestApplied[status.line] ?? 0, status.version)
            case .pending: pendingKeys.insert(Key(line: status.line, version: status.version))
            }
        }
        let pending = migrations.filter {
            $0.isFunction ? pendingFunctions.contains(FunctionKey(line: $0.line, name: $0.name)) : pendingKeys.contains(Key(line: $0.line, version: $0.version))
        }
        for migration in pending {
            if !migration.isFunction, let newest = newestApplied[migration.line], migration.version < newest {
                throw MigrationError(reason: .outOfOrder(line: migration.line, version: migration.version, name: migration.name, newestApplied: newest))
            }
        }
        return pending
    }

    private struct HistoryRow {
        let line: String
        let version: Int
        let name: String
        let checksum: String
        let appliedAt: Date
    }

    /// Every row of the history; rows written before schema lines have an empty line.
    private func history(on connection: PostgresConnection) throws -> [HistoryRow] {
        let columns = try connection.query(
            """
            SELECT count(*) FILTER (WHERE column_name = 'version') AS table, count(*) FILTER (WHERE column_name = 'line') AS lines
            FROM information_schema.columns WHERE table_schema = 'kheo' AND table_name = 'schema_migrations'
            """
        ).single()
        guard try columns.decode("table", as: Int64.self) > 0 else { return [] }
        let line = try columns.decode("lines", as: Int64.self) > 0 ? "line" : "''::text"
        return try connection.query("SELECT \(line) AS line, version, name, checksum, applied_at FROM kheo.schema_migrations").map { row in
            HistoryRow(
                line: try row.decode("line"), version: try row.decode("version"), name: try row.decode("name"),
                checksum: try row.decode("checksum"), appliedAt: try row.decode("applied_at")
            )
        }
    }

    /// The applied migrations of this migrator's lines. A row from before schema lines
    /// counts as the migration of the same name after the number, in whichever line.
    private func appliedMigrations(on connection: PostgresConnection) throws -> [Key: HistoryRow] {
        let ours = Set(lines)
        var applied: [Key: HistoryRow] = [:]
        for row in try history(on: connection) {
            if row.line.isEmpty {
                guard let migration = legacyMatch(row) else { continue }
                applied[Key(line: migration.line, version: migration.version)] = row
            } else if ours.contains(row.line) {
                applied[Key(line: row.line, version: row.version)] = row
            }
        }
        return applied
    }

    /// The migration a history row from before schema lines stands for: the numbered
    /// one of the same name after the number, in whichever line.
    private func legacyMatch(_ row: HistoryRow) -> Migration? {
        let slug = Migration.slug(of: row.name)
        return migrations.first { !$0.isFunction && $0.slug == slug }
    }

    /// Brings a history from before schema lines to (line, version) keys: adds the
    /// column, and renumbers each row this migrator recognises into its line. Rows of
    /// lines this binary does not carry keep an empty line until a binary that carries
    /// them migrates. One transaction: a failure leaves the old history as it was.
    private func upgradeHistory(on connection: PostgresConnection) throws {
        let rows = try history(on: connection)
        let legacy = rows.filter(\.line.isEmpty)
        guard !legacy.isEmpty else { return }
        try connection.transaction { transaction in
            try ensureHistoryTable(on: transaction)
            var renumbered = 0
            for row in legacy {
                guard let migration = legacyMatch(row) else { continue }
                try transaction.query(
                    "UPDATE kheo.schema_migrations SET line = $1, version = $2, name = $3 WHERE line = '' AND version = $4",
                    migration.line, migration.version, migration.name, row.version
                )
                renumbered += 1
            }
            logger.notice("the migration history now records each schema line on its own", metadata: [
                "renumbered": "\(renumbered)", "left_for_other_binaries": "\(legacy.count - renumbered)",
            ])
        }
    }

    /// SHA-256 of each embedded migration, in `migrations` order, computed by the server
    /// that stores them, so the comparison uses one implementation on both sides.
    private func checksums(on connection: PostgresConnection) throws -> [String] {
        guard !migrations.isEmpty else { return [] }
        return try connection.query(
            "SELECT encode(sha256(convert_to(sql, 'UTF8')), 'hex') FROM unnest($1::text[]) WITH ORDINALITY AS m(sql, position) ORDER BY position",
            migrations.map(\.sql)
        ).map { try $0.decode(0, as: String.self) }
    }

    private struct FunctionKey: Hashable {
        let line: String
        let name: String
    }

    /// The function files applied, with the checksum of the text that was applied.
    private func appliedFunctions(on connection: PostgresConnection) throws -> [FunctionKey: (checksum: String, appliedAt: Date)] {
        guard try connection.query("SELECT to_regclass('kheo.schema_functions') IS NOT NULL").single().decode(0, as: Bool.self) else { return [:] }
        var applied: [FunctionKey: (checksum: String, appliedAt: Date)] = [:]
        for row in try connection.query("SELECT line, name, checksum, applied_at FROM kheo.schema_functions") {
            applied[FunctionKey(line: try row.decode("line"), name: try row.decode("name"))] = (try row.decode("checksum"), try row.decode("applied_at"))
        }
        return applied
    }

    private func ensureFunctionsTable(on connection: PostgresConnection) throws {
        try connection.execute(
            script: """
                CREATE TABLE IF NOT EXISTS kheo.schema_functions (
                    line       text NOT NULL,
                    name       text NOT NULL,
                    checksum   text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (line, name)
                );
                COMMENT ON TABLE kheo.schema_functions IS 'Function files (sql/<line>/functions/) and the text last applied; kheo migrate applies a changed one again.';
                """
        )
    }

    /// The history table lives in the `kheo` schema that the engine's first migration
    /// creates, so it is made inside that migration's transaction (a no-op after that).
    /// A table from before schema lines gains its `line` column and (line, version) key.
    private func ensureHistoryTable(on connection: PostgresConnection) throws {
        try connection.execute(
            script: """
                CREATE TABLE IF NOT EXISTS kheo.schema_migrations (
                    line       text NOT NULL,
                    version    integer NOT NULL,
                    name       text NOT NULL,
                    checksum   text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (line, version)
                );
                COMMENT ON TABLE kheo.schema_migrations IS 'Applied migrations by schema line (sql/<line>/), written by kheo migrate.';
                DO $upgrade$
                BEGIN
                    IF NOT EXISTS (
                        SELECT FROM information_schema.columns
                        WHERE table_schema = 'kheo' AND table_name = 'schema_migrations' AND column_name = 'line'
                    ) THEN
                        ALTER TABLE kheo.schema_migrations ADD COLUMN line text NOT NULL DEFAULT '';
                        ALTER TABLE kheo.schema_migrations DROP CONSTRAINT schema_migrations_pkey;
                        ALTER TABLE kheo.schema_migrations ADD PRIMARY KEY (line, version);
                        ALTER TABLE kheo.schema_migrations ALTER COLUMN line DROP DEFAULT;
                    END IF;
                END
                $upgrade$;
                """
        )
    }
}
