public import PostgresClient

extension StatisticsBuilder {
    /// The figures of a row of `danvan.statistics` and `danvan.statistics_own`, in the
    /// order the records' branches below compute them.
    static let figureColumns = [
        "models_registered", "models_recognised", "models_commended", "collective", "individual", "deadlines_met",
        "deadlines_met_late", "deadlines_overdue", "conferences", "conference_attendees", "trainings", "training_participants",
        "documents_issued", "inspections_planned", "inspections_done", "oversights", "organisations_overseen",
        "party_members_overseen",
    ]

    /// `figureColumns` as a list for SQL: each column as is, or wrapped by `each`.
    static func figures(_ each: (String) -> String = { $0 }) -> String {
        figureColumns.map(each).joined(separator: ", ")
    }

    /// One statement, in three steps:
    /// 1. each unit's own records counted per period and field (`own`: a record
    ///    without a field, such as a deadline, under "all"), one pass over the records;
    /// 2. compared with the counts stored last time (`danvan.statistics_own`): only the
    ///    rows that differ go on, as differences, and the stored counts are brought up
    ///    to date;
    /// 3. each difference added to every unit it counts for, in its field's row and
    ///    in the unit's "all" row. `sources` counts the per-unit rows a figure sums, so
    ///    a figure left with none is deleted afterwards (`deleteFiguresWithoutSources`).
    /// A night of the demo's province changes a few dozen of its 2,500 per-unit rows, so
    /// step 3 touches a few hundred of the 2,574 figures instead of adding up all of
    /// them again. After `danvan.statistics_own` and `danvan.statistics` are emptied
    /// (a rebuild), every row is a difference and the statement writes everything.
    /// `$1` is the tree's version. Prepared once per connection: planning it cost about
    /// a seventh of running it, every night.
    static let applyChanges = PreparedStatement(
        name: "danvan.statistics.apply_changes",
        sql: """
        WITH reached AS (
            SELECT model_id, bool_or(to_state = 'recognised') AS recognised, bool_or(to_state = 'commended') AS commended
            FROM danvan.model_transitions GROUP BY model_id
        ), records AS (
            -- Each unit's own records per period (and, for models, per field).
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
        ), own AS (
            SELECT unit_id, period_id, coalesce(field, 'all') AS field,
                   sum(registered)::int AS models_registered, sum(recognised)::int AS models_recognised,
                   sum(commended)::int AS models_commended, sum(collective)::int AS collective, sum(individual)::int AS individual,
                   sum(met)::int AS deadlines_met, sum(met_late)::int AS deadlines_met_late, sum(overdue)::int AS deadlines_overdue,
                   sum(conferences)::int AS conferences, sum(conference_attendees)::int AS conference_attendees,
                   sum(trainings)::int AS trainings, sum(training_participants)::int AS training_participants,
                   sum(documents)::int AS documents_issued, sum(planned)::int AS inspections_planned, sum(done)::int AS inspections_done,
                   sum(oversights)::bigint AS oversights, sum(organisations_overseen)::bigint AS organisations_overseen,
                   sum(party_members_overseen)::bigint AS party_members_overseen
            FROM records GROUP BY unit_id, period_id, coalesce(field, 'all')
        ), changed AS (
            -- New, changed and vanished per-unit rows, as differences from the stored ones.
            SELECT coalesce(n.unit_id, o.unit_id) AS unit_id, coalesce(n.period_id, o.period_id) AS period_id,
                   coalesce(n.field, o.field) AS field, n.unit_id IS NULL AS gone,
                   (n.unit_id IS NOT NULL)::int - (o.unit_id IS NOT NULL)::int AS sources,
                   \(figures { "coalesce(n.\($0), 0) - coalesce(o.\($0), 0) AS \($0)" })
            FROM own AS n FULL JOIN danvan.statistics_own AS o
                 ON o.unit_id = n.unit_id AND o.period_id = n.period_id AND o.field = n.field
            WHERE n.unit_id IS NULL OR o.unit_id IS NULL OR ROW(\(figures { "n.\($0)" })) IS DISTINCT FROM ROW(\(figures { "o.\($0)" }))
        ), kept AS (
            INSERT INTO danvan.statistics_own (unit_id, period_id, field, \(figures()))
            SELECT n.unit_id, n.period_id, n.field, \(figures { "n.\($0)" })
            FROM own AS n JOIN changed AS c ON c.unit_id = n.unit_id AND c.period_id = n.period_id AND c.field = n.field
            ON CONFLICT (unit_id, period_id, field) DO UPDATE SET \(figures { "\($0) = excluded.\($0)" })
            RETURNING 1
        ), dropped AS (
            DELETE FROM danvan.statistics_own AS o USING changed AS c
            WHERE c.gone AND o.unit_id = c.unit_id AND o.period_id = c.period_id AND o.field = c.field
            RETURNING 1
        ), rolled AS (
            -- Each difference for every unit it counts for on the period's last day,
            -- in its field's row and in the "all" row (once, for a record without a field).
            SELECT l.counts_for AS unit_id, c.period_id, k.field, sum(c.sources)::int AS sources,
                   \(figures { "sum(c.\($0)) AS \($0)" })
            FROM changed AS c
            JOIN danvan.periods AS p ON p.id = c.period_id
            JOIN danvan.unit_lineage_cache AS l ON l.version = $1 AND l.as_of = p.ends_on AND l.unit_id = c.unit_id
            CROSS JOIN LATERAL (SELECT c.field UNION SELECT 'all') AS k (field)
            GROUP BY l.counts_for, c.period_id, k.field
        ), written AS (
            INSERT INTO danvan.statistics AS s (unit_id, period_id, field, sources, \(figures()))
            SELECT unit_id, period_id, field, sources, \(figures()) FROM rolled
            ON CONFLICT (unit_id, period_id, field) DO UPDATE
            SET sources = s.sources + excluded.sources, \(figures { "\($0) = s.\($0) + excluded.\($0)" })
            RETURNING s.sources
        )
        SELECT (SELECT count(*) FROM changed) AS changed, (SELECT count(*) FROM kept) + (SELECT count(*) FROM dropped) AS stored,
               (SELECT count(*) FROM written WHERE sources > 0) AS written
        """
    )

    /// The figures no per-unit row adds to any more: a unit's last record of a period
    /// moved away or deleted. Run after `applyChanges`, which cannot both update and
    /// delete a row in one statement.
    static let deleteFiguresWithoutSources = "DELETE FROM danvan.statistics WHERE sources = 0"
}
