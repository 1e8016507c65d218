public import PostgresClient

/// Rebuilds every unit's figures for every period as a new snapshot and makes it the
/// current one, all in the caller's transaction: until it commits, readers keep the
/// old snapshot; after, they see only the new one.
///
/// Each model counts for its own unit and every unit above it (`unnest(path)`), so
/// the roll-up costs one pass over models times the depth of the tree. A model counts
/// in the periods its registration day falls in; it counts as recognised or commended
/// once its history reaches that state. Deadlines count by their due day, activities
/// by the day they were held, inspection visits by their date (done once recorded).
public enum StatisticsBuilder {
    /// Returns the new snapshot's id.
    @discardableResult
    public static func regenerate(in connection: PostgresConnection) throws -> Int64 {
        let snapshot: Int64 = try connection.query(
            "INSERT INTO danvan.statistics_snapshots (as_of) VALUES (danvan.now()) RETURNING id"
        ).single().decode("id")
        try connection.query(
            """
            WITH reached AS (
                SELECT model_id, bool_or(to_state = 'recognised') AS recognised, bool_or(to_state = 'commended') AS commended
                FROM danvan.model_transitions GROUP BY model_id
            )
            INSERT INTO danvan.statistics (snapshot_id, unit_id, period_id, field, models_registered, models_recognised,
                                           models_commended, collective, individual)
            SELECT $1, a.unit_id, p.id, coalesce(m.field::text, 'all'), count(*),
                   count(*) FILTER (WHERE r.recognised), count(*) FILTER (WHERE r.commended),
                   count(*) FILTER (WHERE m.holder_kind = 'collective'), count(*) FILTER (WHERE m.holder_kind = 'individual')
            FROM danvan.models AS m
            JOIN danvan.units AS u ON u.id = m.unit_id
            CROSS JOIN LATERAL unnest(u.path) AS a(unit_id)
            JOIN danvan.periods AS p ON m.registered_on BETWEEN p.starts_on AND p.ends_on
            LEFT JOIN reached AS r ON r.model_id = m.id
            GROUP BY GROUPING SETS ((a.unit_id, p.id, m.field), (a.unit_id, p.id))
            """,
            snapshot
        )
        try connection.query(
            """
            INSERT INTO danvan.statistics AS s (snapshot_id, unit_id, period_id, field, deadlines_met, deadlines_overdue)
            SELECT $1, a.unit_id, p.id, 'all', count(*) FILTER (WHERE d.status = 'met'), count(*) FILTER (WHERE d.status = 'overdue')
            FROM danvan.deadlines AS d
            JOIN danvan.units AS u ON u.id = d.unit_id
            CROSS JOIN LATERAL unnest(u.path) AS a(unit_id)
            JOIN danvan.periods AS p ON d.due_on BETWEEN p.starts_on AND p.ends_on
            GROUP BY a.unit_id, p.id
            ON CONFLICT (snapshot_id, unit_id, period_id, field) DO UPDATE
            SET deadlines_met = excluded.deadlines_met, deadlines_overdue = excluded.deadlines_overdue
            """,
            snapshot
        )
        try connection.query(
            """
            INSERT INTO danvan.statistics AS s (snapshot_id, unit_id, period_id, field, conferences, conference_attendees,
                                                trainings, training_participants, documents_issued)
            SELECT $1, a.unit_id, p.id, 'all',
                   coalesce(sum(x.sessions) FILTER (WHERE x.kind = 'conference'), 0),
                   coalesce(sum(x.attendees) FILTER (WHERE x.kind = 'conference'), 0),
                   coalesce(sum(x.sessions) FILTER (WHERE x.kind = 'training'), 0),
                   coalesce(sum(x.attendees) FILTER (WHERE x.kind = 'training'), 0),
                   count(*) FILTER (WHERE x.kind = 'document')
            FROM danvan.activities AS x
            JOIN danvan.units AS u ON u.id = x.unit_id
            CROSS JOIN LATERAL unnest(u.path) AS a(unit_id)
            JOIN danvan.periods AS p ON x.held_on BETWEEN p.starts_on AND p.ends_on
            GROUP BY a.unit_id, p.id
            ON CONFLICT (snapshot_id, unit_id, period_id, field) DO UPDATE
            SET conferences = excluded.conferences, conference_attendees = excluded.conference_attendees,
                trainings = excluded.trainings, training_participants = excluded.training_participants,
                documents_issued = excluded.documents_issued
            """,
            snapshot
        )
        try connection.query(
            """
            INSERT INTO danvan.statistics AS s (snapshot_id, unit_id, period_id, field, inspections_planned, inspections_done)
            SELECT $1, a.unit_id, p.id, 'all', count(*), count(*) FILTER (WHERE v.done_at IS NOT NULL)
            FROM danvan.inspection_visits AS v
            JOIN danvan.units AS u ON u.id = v.unit_id
            CROSS JOIN LATERAL unnest(u.path) AS a(unit_id)
            JOIN danvan.periods AS p ON v.visit_on BETWEEN p.starts_on AND p.ends_on
            GROUP BY a.unit_id, p.id
            ON CONFLICT (snapshot_id, unit_id, period_id, field) DO UPDATE
            SET inspections_planned = excluded.inspections_planned, inspections_done = excluded.inspections_done
            """,
            snapshot
        )
        try connection.query(
            """
            INSERT INTO danvan.current_statistics (snapshot_id) VALUES ($1)
            ON CONFLICT (only_row) DO UPDATE SET snapshot_id = excluded.snapshot_id
            """,
            snapshot
        )
        try connection.query("DELETE FROM danvan.statistics_snapshots WHERE id <> $1", snapshot)
        return snapshot
    }
}
