public import Logging
public import PostgresClient
import Foundation

/// Applies `sql/` migrations to a database, each once, in order.
///
/// - A session-level advisory lock serialises concurrent runs: a second `kheo migrate`
///   waits, then finds nothing left to do.
/// - Each migration runs in its own transaction together with its history row, so a
///   failing migration leaves neither a half-applied schema nor a false record.
/// - The history (`kheo.schema_migrations`) keeps each migration's SHA-256; an applied
///   migration whose text changed is refused by name before anything runs.
public struct Migrator: Sendable {
    /// Keys of the advisory lock held while migrating ('kheo' in ASCII, then 1).
    static let lockKeys: (Int32, Int32) = (0x6b68_656f, 1)

    public let migrations: [Migration]
    private let logger: Logger

    public init(migrations: [Migration] = Migration.embedded, logger: Logger = Logger(label: "kheo.migrate")) {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    /// Every migration known to the binary or the database, and its state.
    public func status(on connection: PostgresConnection) throws -> [MigrationStatus] {
        let applied = try appliedMigrations(on: connection)
        let checksums = try self.checksums(on: connection)
        var statuses: [MigrationStatus] = []
        for migration in migrations {
            let state: MigrationStatus.State
            if let record = applied[migration.version] {
                state = record.checksum == checksums[migration.version] ? .applied(at: record.appliedAt) : .changed(appliedAt: record.appliedAt)
            } else {
                state = .pending
            }
            statuses.append(MigrationStatus(version: migration.version, name: migration.name, state: state))
        }
        let known = Set(migrations.map(\.version))
        for record in applied.values where !known.contains(record.version) {
            statuses.append(MigrationStatus(version: record.version, name: record.name, state: .unknown(appliedAt: record.appliedAt)))
        }
        return statuses.sorted { $0.version < $1.version }
    }

    /// Applies every pending migration and returns those it applied (none if current).
    ///
    /// Throws `MigrationError` (and applies nothing) if the history disagrees with the
    /// binary; throws `PostgresError` if a migration's SQL fails (that one is rolled
    /// back; those before it stay applied).
    @discardableResult
    public func migrate(on connection: PostgresConnection) throws -> [Migration] {
        let (classID, objectID) = Self.lockKeys
        if try !connection.query("SELECT pg_try_advisory_lock($1, $2)", classID, objectID).single().decode(0, as: Bool.self) {
            logger.info("another kheo migrate is running; waiting for it to finish")
            try connection.query("SELECT pg_advisory_lock($1, $2)", classID, objectID)
        }
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1, $2)", classID, objectID) }

        let pending = try pendingMigrations(on: connection)
        for migration in pending {
            let started = ContinuousClock.now
            try connection.transaction { transaction in
                try transaction.execute(script: migration.sql)
                try ensureHistoryTable(on: transaction)
                try transaction.query(
                    """
                    INSERT INTO kheo.schema_migrations (version, name, checksum)
                    VALUES ($1, $2, encode(sha256(convert_to($3, 'UTF8')), 'hex'))
                    """,
                    migration.version, migration.name, migration.sql
                )
            }
            logger.info(
                "applied migration",
                metadata: ["version": "\(migration.version)", "name": "\(migration.name)", "duration": "\(ContinuousClock.now - started)"]
            )
        }
        return pending
    }

    /// The migrations still to apply, after checking the history against the binary.
    private func pendingMigrations(on connection: PostgresConnection) throws -> [Migration] {
        var newestApplied = 0
        var pendingVersions = Set<Int>()
        for status in try status(on: connection) {
            switch status.state {
            case .changed: throw MigrationError(reason: .changedAfterApplying(version: status.version, name: status.name))
            case .unknown: throw MigrationError(reason: .unknownApplied(version: status.version, name: status.name))
            case .applied: newestApplied = max(newestApplied, status.version)
            case .pending: pendingVersions.insert(status.version)
            }
        }
        let pending = migrations.filter { pendingVersions.contains($0.version) }
        if let early = pending.first(where: { $0.version < newestApplied }) {
            throw MigrationError(reason: .outOfOrder(version: early.version, name: early.name, newestApplied: newestApplied))
        }
        return pending
    }

    private struct AppliedRecord {
        let version: Int
        let name: String
        let checksum: String
        let appliedAt: Date
    }

    private func appliedMigrations(on connection: PostgresConnection) throws -> [Int: AppliedRecord] {
        let exists = try connection.query("SELECT to_regclass('kheo.schema_migrations') IS NOT NULL").single().decode(0, as: Bool.self)
        guard exists else { return [:] }
        var records: [Int: AppliedRecord] = [:]
        for row in try connection.query("SELECT version, name, checksum, applied_at FROM kheo.schema_migrations") {
            let record = AppliedRecord(
                version: try row.decode("version"),
                name: try row.decode("name"),
                checksum: try row.decode("checksum"),
                appliedAt: try row.decode("applied_at")
            )
            records[record.version] = record
        }
        return records
    }

    /// SHA-256 of each embedded migration, computed by the server that stores them,
    /// so the comparison uses one implementation on both sides.
    private func checksums(on connection: PostgresConnection) throws -> [Int: String] {
        guard !migrations.isEmpty else { return [:] }
        let rows = try connection.query(
            "SELECT encode(sha256(convert_to(sql, 'UTF8')), 'hex') FROM unnest($1::text[]) WITH ORDINALITY AS m(sql, position) ORDER BY position",
            migrations.map(\.sql)
        )
        var checksums: [Int: String] = [:]
        for (migration, row) in zip(migrations, rows) { checksums[migration.version] = try row.decode(0, as: String.self) }
        return checksums
    }

    /// The history table lives in the `kheo` schema that the first migration creates,
    /// so it is made inside that first migration's transaction (a no-op after that).
    private func ensureHistoryTable(on connection: PostgresConnection) throws {
        try connection.execute(
            script: """
                CREATE TABLE IF NOT EXISTS kheo.schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    checksum   text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                );
                COMMENT ON TABLE kheo.schema_migrations IS 'Applied sql/ migrations, written by kheo migrate.';
                """
        )
    }
}
