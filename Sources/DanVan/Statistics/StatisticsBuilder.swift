public import PostgresClient

/// Rebuilds every unit's figures for every period as a new snapshot and makes it the
/// current one, all in the caller's transaction: until it commits, readers keep the
/// old snapshot; after, they see only the new one.
///
/// Each record counts for its unit and every unit above it in the tree as it stood on
/// the period's last day (`danvan.unit_lineage`): a 2024 period rolls up through the
/// districts, a 2025 one through the two-tier tree, and a commune merged on 01/07/2025
/// counts its records for its successor in every period ending after that day, so no
/// record counts twice for one unit and a province's total is the sum over the units
/// under it. The roll-up costs one pass over the records, then one over their per-unit
/// counts times the depth of the tree.
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

    /// Returns the current snapshot's id: a new one, or the last one when nothing it
    /// was built from has changed since (its `as_of` then moves to now).
    @discardableResult
    public static func regenerate(in connection: PostgresConnection) throws -> Int64 {
        // The roll-up is a few thousand rows: compiling it (JIT) would cost more than
        // running it.
        try connection.query("SET LOCAL jit = off")
        // The tree as of each period's last day, from the cache when the tree has not
        // changed since it was filled (nearly every night).
        let tree: Int64 = try connection.query(
            "SELECT version FROM danvan.unit_tree_version FOR SHARE"
        ).single().decode("version")
        // What tonight's figures would be built from; the same as the current
        // snapshot's, and they would come out the same.
        let counts = inputTables.map { "(SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM danvan.\($0))" }
        let inputs: String = try connection.query(
            "SELECT concat_ws('|', $1::text, $2::text, \(counts.joined(separator: ", "))) AS inputs", revision, "\(tree)"
        ).single().decode("inputs")
        if let current: Int64 = try connection.query(
            """
            UPDATE danvan.statistics_snapshots AS s SET as_of = danvan.now()
            FROM danvan.current_statistics AS c WHERE s.id = c.snapshot_id AND s.inputs = $1 RETURNING s.id
            """,
            inputs
        ).first?.decode("id") {
            return current
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
        let snapshot: Int64 = try connection.query(
            "INSERT INTO danvan.statistics_snapshots (as_of, inputs) VALUES (danvan.now(), $1) RETURNING id", inputs
        ).single().decode("id")
        try connection.query(rollUp, snapshot, tree)
        try connection.query(
            """
            INSERT INTO danvan.current_statistics (snapshot_id) VALUES ($1)
            ON CONFLICT (only_row) DO UPDATE SET snapshot_id = excluded.snapshot_id
            """,
            snapshot
        )
        // By the old snapshots' ids, through the primary key: a scan of the whole table
        // would also read every row earlier regenerations left for vacuum.
        try connection.query(
            "DELETE FROM danvan.statistics WHERE snapshot_id IN (SELECT id FROM danvan.statistics_snapshots WHERE id <> $1)", snapshot
        )
        try connection.query("DELETE FROM danvan.statistics_snapshots WHERE id <> $1", snapshot)
        return snapshot
    }

    /// One statement: each source counted per unit of its own, period and field, then
    /// those few rows added up for every unit they count for, so no row is written
    /// twice. Counting first and rolling up once reads the lineage once instead of once
    /// per source (74 ms instead of 84 on the demo's year-end database). `$1` is the new
    /// snapshot, `$2` the tree's version. Prepared once per connection: planning it
    /// cost about a seventh of running it, every night.
    static let rollUp = PreparedStatement(
        name: "danvan.statistics.roll_up",
        sql: """
        WITH lineage AS MATERIALIZED (
            SELECT p.id AS period_id, l.unit_id, l.counts_for
            FROM danvan.periods AS p JOIN danvan.unit_lineage_cache AS l ON l.version = $2 AND l.as_of = p.ends_on
        ), reached AS (
            SELECT model_id, bool_or(to_state = 'recognised') AS recognised, bool_or(to_state = 'commended') AS commended
            FROM danvan.model_transitions GROUP BY model_id
        ), own AS (
            -- Each unit's own records per period (and, for models, per field); the
            -- records of units with nothing this period never reach the join below.
            SELECT m.unit_id, p.id AS period_id, m.field::text AS field, count(*)::int AS registered,
                   (count(*) FILTER (WHERE r.recognised))::int AS recognised, (count(*) FILTER (WHERE r.commended))::int AS commended,
                   (count(*) FILTER (WHERE m.holder_kind = 'collective'))::int AS collective,
                   (count(*) FILTER (WHERE m.holder_kind = 'individual'))::int AS individual,
                   0 AS met, 0 AS met_late, 0 AS overdue, 0 AS conferences, 0 AS conference_attendees, 0 AS trainings,
                   0 AS training_participants, 0 AS documents, 0 AS planned, 0 AS done,
                   0 AS oversights, 0 AS organisations_overseen, 0 AS party_members_overseen
            FROM danvan.models AS m
            JOIN danvan.campaigns AS mc ON mc.id = m.campaign_id
            -- A calendar period counts the models registered between its dates; a
            -- campaign's period the campaign's models (or its stage's campaigns'),
            -- registered by its last day, whenever that was.
            JOIN danvan.periods AS p ON CASE
                WHEN p.campaign_id IS NULL THEN m.registered_on BETWEEN p.starts_on AND p.ends_on
                ELSE m.registered_on <= p.ends_on AND p.campaign_id IN (mc.id, mc.stage_id) END
            LEFT JOIN reached AS r ON r.model_id = m.id
            GROUP BY m.unit_id, p.id, m.field
          UNION ALL
            SELECT d.unit_id, p.id, NULL, 0, 0, 0, 0, 0,
                   (count(*) FILTER (WHERE d.status = 'met' AND NOT d.met_late))::int, (count(*) FILTER (WHERE d.status = 'met' AND d.met_late))::int,
                   (count(*) FILTER (WHERE d.status = 'overdue'))::int, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
            FROM danvan.deadlines AS d
            LEFT JOIN danvan.campaigns AS dc ON dc.id = d.campaign_id
            -- A record of a campaign counts in that campaign's (or its stage's)
            -- periods up to their last day; any other by its day, as models do.
            JOIN danvan.periods AS p ON CASE
                WHEN p.campaign_id IS NULL OR d.campaign_id IS NULL THEN d.due_on BETWEEN p.starts_on AND p.ends_on
                ELSE d.due_on <= p.ends_on AND p.campaign_id IN (dc.id, dc.stage_id) END
            GROUP BY d.unit_id, p.id
          UNION ALL
            SELECT x.unit_id, p.id, NULL, 0, 0, 0, 0, 0, 0, 0, 0,
                   coalesce(sum(x.sessions) FILTER (WHERE x.kind = 'conference'), 0)::int,
                   coalesce(sum(x.attendees) FILTER (WHERE x.kind = 'conference'), 0)::int,
                   coalesce(sum(x.sessions) FILTER (WHERE x.kind = 'training'), 0)::int,
                   coalesce(sum(x.attendees) FILTER (WHERE x.kind = 'training'), 0)::int,
                   (count(*) FILTER (WHERE x.kind = 'document'))::int, 0, 0, 0, 0, 0
            FROM danvan.activities AS x
            LEFT JOIN danvan.campaigns AS xc ON xc.id = x.campaign_id
            JOIN danvan.periods AS p ON CASE
                WHEN p.campaign_id IS NULL OR x.campaign_id IS NULL THEN x.held_on BETWEEN p.starts_on AND p.ends_on
                ELSE x.held_on <= p.ends_on AND p.campaign_id IN (xc.id, xc.stage_id) END
            GROUP BY x.unit_id, p.id
          UNION ALL
            SELECT v.unit_id, p.id, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                   count(*)::int, (count(*) FILTER (WHERE v.done_at IS NOT NULL))::int, 0, 0, 0
            FROM danvan.inspection_visits AS v
            JOIN danvan.inspection_plans AS vp ON vp.id = v.plan_id
            LEFT JOIN danvan.campaigns AS vc ON vc.id = vp.campaign_id
            JOIN danvan.periods AS p ON CASE
                WHEN p.campaign_id IS NULL OR vp.campaign_id IS NULL THEN v.visit_on BETWEEN p.starts_on AND p.ends_on
                ELSE v.visit_on <= p.ends_on AND p.campaign_id IN (vc.id, vc.stage_id) END
            GROUP BY v.unit_id, p.id
          UNION ALL
            -- Inspections and supervisions of party organisations and members, with
            -- the organisations and members each covered.
            SELECT o.unit_id, p.id, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                   count(*)::int,
                   coalesce(sum((SELECT count(*) FROM danvan.oversight_organisations AS g WHERE g.oversight_id = o.id)), 0)::int,
                   coalesce(sum((SELECT count(*) FROM danvan.oversight_party_members AS k WHERE k.oversight_id = o.id)), 0)::int
            FROM danvan.oversights AS o
            JOIN danvan.periods AS p ON o.held_on BETWEEN p.starts_on AND p.ends_on
            GROUP BY o.unit_id, p.id
        )
        -- Then rolled up once: each unit's own figures added to every unit they count
        -- for, per field and in all (a field-less row holds what has no field).
        INSERT INTO danvan.statistics (snapshot_id, unit_id, period_id, field, models_registered, models_recognised,
                                       models_commended, collective, individual, deadlines_met, deadlines_met_late, deadlines_overdue,
                                       conferences, conference_attendees, trainings, training_participants,
                                       documents_issued, inspections_planned, inspections_done,
                                       oversights, organisations_overseen, party_members_overseen)
        SELECT $1, a.counts_for, o.period_id, coalesce(o.field, 'all'), sum(o.registered), sum(o.recognised), sum(o.commended),
               sum(o.collective), sum(o.individual), sum(o.met), sum(o.met_late), sum(o.overdue), sum(o.conferences),
               sum(o.conference_attendees), sum(o.trainings), sum(o.training_participants), sum(o.documents), sum(o.planned),
               sum(o.done), sum(o.oversights), sum(o.organisations_overseen), sum(o.party_members_overseen)
        FROM own AS o JOIN lineage AS a ON a.period_id = o.period_id AND a.unit_id = o.unit_id
        GROUP BY GROUPING SETS ((a.counts_for, o.period_id, o.field), (a.counts_for, o.period_id))
        HAVING o.field IS NOT NULL OR GROUPING(o.field) = 1
        """
    )
}
