public import Foundation
public import PostgresClient

/// A generated report as listed: which unit and period, from which snapshot, when.
/// Its HTML and CSV are read one at a time (`ReportLibrary.content`).
public struct StoredReport: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable {
        case html, csv
    }

    public let id: Int64
    public let unitID: Int64
    public let periodID: Int64
    public let snapshotID: Int64
    public let title: String
    public let generatedAt: Date

    static let columns = "id, unit_id, period_id, snapshot_id, title, generated_at"

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        unitID = try row.decode("unit_id")
        periodID = try row.decode("period_id")
        snapshotID = try row.decode("snapshot_id")
        title = try row.decode("title")
        generatedAt = try row.decode("generated_at")
    }
}

/// The reports `report.generate` stored.
public struct ReportLibrary: Sendable {
    public init() {}

    /// Reports of `unit` and every unit under it, newest first; `before` pages by id.
    public func list(
        under unit: Int64, period: Int64? = nil, before: Int64? = nil, limit: Int = 50, on executor: some PostgresExecutor
    ) throws -> [StoredReport] {
        try executor.query(
            """
            SELECT \(StoredReport.columns) FROM danvan.reports
            WHERE unit_id IN (SELECT id FROM danvan.units WHERE path @> ARRAY[$1::bigint])
              AND ($2::bigint IS NULL OR period_id = $2) AND ($3::bigint IS NULL OR id < $3)
            ORDER BY id DESC LIMIT $4
            """,
            unit, period, before, Int32(min(max(limit, 1), 1000))
        ).map(StoredReport.init(row:))
    }

    public func find(_ id: Int64, on executor: some PostgresExecutor) throws -> StoredReport? {
        try executor.query("SELECT \(StoredReport.columns) FROM danvan.reports WHERE id = $1", id).first.map(StoredReport.init(row:))
    }

    /// The report's text in one format.
    public func content(_ id: Int64, _ format: StoredReport.Format, on executor: some PostgresExecutor) throws -> String? {
        try executor.query(
            "SELECT CASE WHEN $2 = 'html' THEN html ELSE csv END AS content FROM danvan.reports WHERE id = $1", id, format.rawValue
        ).first?.decode("content")
    }
}
