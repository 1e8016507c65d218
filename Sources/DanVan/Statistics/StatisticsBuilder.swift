public import PostgresClient

/// Brings every unit's figures for every period up to date and makes them the current
/// snapshot, all in the caller's transaction: until it commits, readers see the old
/// figures; after, only the new ones. Only the figures that changed are written (see
/// `applyChanges`).
///
/// Each record counts for its unit and every unit above it in the tree as it stood on
/// the period's last day (`danvan.unit_lineage`): a 2024 period rolls up through the
/// districts, a 2025 one through the two-tier tree, and a commune merged on 01/07/2025
/// counts its records for its successor in every period ending after that day, so no
/// record counts twice for one unit and a province's total is the sum over the units
/// under it. A night costs one pass over the records, then one over the per-unit
/// counts that changed times the depth of the tree.
/// A model counts in the periods of its campaign (a campaign year runs from tradition
/// day to tradition day) and in the calendar periods its registration day falls in; it counts as recognised or commended
/// once its history reaches that state. Deadlines count by their due day (met on time,
/// met late and overdue apart), activities
/// by the day they were held, inspection visits by their date (done once recorded),
/// inspections and supervisions of party organisations and members by their day.
public enum StatisticsBuilder {
    /// Changes whenever the roll-up below counts differently, so that a snapshot built
    /// by an earlier revision is never taken for current.
    static let revision = "2026-12-01.people-oversight-campaign-records"

    /// The tables the roll-up reads. Each one's row count and newest writing
    /// transaction (`xmin`) together change with every committed insert, update or
    /// delete, so equal inputs mean an equal result: the figures depend on nothing
    /// else (statuses are stored, not computed from the clock).
    static let inputTables = [
        "periods", "campaigns", "models", "model_transitions", "deadlines", "activities", "inspection_plans", "inspection_visits",
        "oversights", "oversight_organisations", "oversight_party_members",
    ]

    /// What a regeneration did.
    public struct Outcome: Sendable, Equatable {
        /// The snapshot now current.
        public var snapshot: Int64
        /// Nothing the figures are built from had changed: the snapshot stays, as of now.
        public var unchanged: Bool
        /// Built from nothing, because the tree, the periods or the roll-up changed.
        public var rebuilt: Bool
        /// Per-unit counts (a unit's own records in a period and field) that changed.
        public var changed: Int
        /// Figures written (new or changed) and deleted (no record counts for them now).
        public var written: Int
        public var removed: Int
    }

    /// Makes the figures current: a new snapshot with the figures that changed
    /// written, or the last one when nothing it was built from has changed since (its
    /// `as_of` then moves to now).
    @discardableResult
    public static func regenerate(in connection: PostgresConnection) throws -> Outcome {
        // One regeneration at a time: a second one waits here, then finds the first's
        // inputs unchanged. Readers take no lock and are never kept waiting.
        try connection.query("LOCK TABLE danvan.current_statistics IN SHARE ROW EXCLUSIVE MODE")
        // A few thousand rows: compiling the statements (JIT) would cost more than
        // running them.
        try connection.query("SET LOCAL jit = off")
        // The tree as of each period's last day, from the cache when the tree has not
        // changed since it was filled (nearly every night).
        let tree: Int64 = try connection.query(
            "SELECT version FROM danvan.unit_tree_version FOR SHARE"
        ).single().decode("version")
        // What tonight's figures would be built from (the same as the current
        // snapshot's, and they would come out the same), and what the differences are
        // rolled up through.
        func fingerprint(_ table: String) -> String {
            "(SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM danvan.\(table))"
        }
        let built = try connection.query(
            """
            SELECT concat_ws('|', $1::text, $2::text, \(inputTables.map(fingerprint).joined(separator: ", "))) AS inputs,
                   concat_ws('|', $1::text, $2::text, \(fingerprint("periods"))) AS base,
                   (SELECT s.base FROM danvan.current_statistics AS c JOIN danvan.statistics_snapshots AS s ON s.id = c.snapshot_id) AS current_base
            """,
            revision, "\(tree)"
        ).single()
        let inputs: String = try built.decode("inputs")
        let base: String = try built.decode("base")
        if let current: Int64 = try connection.query(
            """
            UPDATE danvan.statistics_snapshots AS s SET as_of = danvan.now()
            FROM danvan.current_statistics AS c WHERE s.id = c.snapshot_id AND s.inputs = $1 RETURNING s.id
            """,
            inputs
        ).first?.decode("id") {
            return Outcome(snapshot: current, unchanged: true, rebuilt: false, changed: 0, written: 0, removed: 0)
        }
        try connection.query("DELETE FROM danvan.unit_lineage_cache WHERE version < $1", tree)
        let filled = try connection.query(
            """
            WITH tree AS MATERIALIZED (
                SELECT d.ends_on AS as_of, l.unit_id, l.counts_for
                FROM (SELECT DISTINCT ends_on FROM danvan.periods) AS d CROSS JOIN LATERAL danvan.unit_lineage(d.ends_on) AS l
                WHERE NOT EXISTS (SELECT 1 FROM danvan.unit_lineage_cache AS c WHERE c.version = $1 AND c.as_of = d.ends_on)
            )
            INSERT INTO danvan.unit_lineage_cache (version, as_of, unit_id, counts_for)
            SELECT $1, as_of, unit_id, counts_for FROM tree
            UNION ALL
            -- A record under a cluster's member counts for the cluster too (once: the
            -- key takes no second row), while the member belongs to it that day.
            SELECT $1, t.as_of, t.unit_id, m.cluster_id
            FROM tree AS t JOIN danvan.cluster_members AS m ON m.unit_id = t.counts_for
                 AND m.valid_from <= t.as_of AND (m.valid_until IS NULL OR m.valid_until > t.as_of)
            ON CONFLICT DO NOTHING
            RETURNING 1
            """,
            tree
        )
        // Freshly filled (after a change to the tree), its statistics would still say
        // "empty": the roll-up then joined every model to every period before looking
        // at units (2.2 s instead of 55 ms on the demo's database).
        if !filled.isEmpty { try connection.query("ANALYZE danvan.unit_lineage_cache") }
        // Last night's figures were rolled up through another tree or other periods:
        // differences added to them would land on the wrong units. Start from nothing.
        let rebuilt = try built.decode("current_base", as: String?.self) != base
        if rebuilt {
            try connection.query("DELETE FROM danvan.statistics_own")
            try connection.query("DELETE FROM danvan.statistics")
        }
        let snapshot: Int64 = try connection.query(
            "INSERT INTO danvan.statistics_snapshots (as_of, inputs, base) VALUES (danvan.now(), $1, $2) RETURNING id", inputs, base
        ).single().decode("id")
        let applied = try connection.query(applyChanges, tree).single()
        let removed = try connection.query(deleteFiguresWithoutSources).affectedRows
        try connection.query(
            """
            INSERT INTO danvan.current_statistics (snapshot_id) VALUES ($1)
            ON CONFLICT (only_row) DO UPDATE SET snapshot_id = excluded.snapshot_id
            """,
            snapshot
        )
        try connection.query("DELETE FROM danvan.statistics_snapshots WHERE id <> $1", snapshot)
        return Outcome(
            snapshot: snapshot, unchanged: false, rebuilt: rebuilt, changed: Int(try applied.decode("changed", as: Int64.self)),
            written: Int(try applied.decode("written", as: Int64.self)), removed: removed
        )
    }
}
