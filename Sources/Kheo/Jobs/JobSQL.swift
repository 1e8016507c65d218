package import PostgresClient

/// The statements the producer and the workers run, in one place: the bench hands
/// this same text to pgbench to measure PostgreSQL's own ceiling for it.
package enum JobSQL {
    /// One job. `$5` is an absolute time or NULL; `$6` a delay in microseconds; `$9`
    /// the partition key or NULL.
    package static let insertOne = PreparedStatement(
        name: "kheo.jobs.insert_one",
        sql: """
            INSERT INTO kheo.jobs (queue, kind, args, priority, state, max_attempts, scheduled_at, tags, partition_key)
            SELECT $1, $2, $3::jsonb, $4, CASE WHEN t.at > now() THEN 'scheduled' ELSE 'available' END::kheo.job_state, $7, t.at, $8::text[],
                   $9::text
            FROM (SELECT coalesce($5::timestamptz, now() + $6::bigint * interval '1 microsecond') AS at) AS t
            RETURNING id
            """
    )

    /// One unique job (see `UniqueOptions`): `$1`–`$8` as in `insertOne`, then `$9`
    /// args fields (NULL: args do not count), `$10` by queue, `$11` period in seconds
    /// (0: none), `$12` extra key text, `$13` unique states, `$14` the partition key. A duplicate updates nothing
    /// that matters and returns the existing job with `duplicate` true; `DO UPDATE`
    /// rather than `DO NOTHING` so that the existing row comes back in the same
    /// statement, even when it was inserted by a transaction that committed meanwhile.
    package static let insertUnique = PreparedStatement(
        name: "kheo.jobs.insert_unique",
        sql: """
            INSERT INTO kheo.jobs AS j (queue, kind, args, priority, state, max_attempts, scheduled_at, tags,
                                        unique_key, unique_states, partition_key)
            SELECT $1, $2, $3::jsonb, $4, CASE WHEN t.at > now() THEN 'scheduled' ELSE 'available' END::kheo.job_state,
                   $7, t.at, $8::text[],
                   kheo.unique_key($2, $1, $3::jsonb, t.at, $9::text[], $10::boolean, $11::bigint, $12::text),
                   $13::kheo.job_state[], $14::text
            FROM (SELECT coalesce($5::timestamptz, now() + $6::bigint * interval '1 microsecond') AS at) AS t
            ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state = ANY (unique_states)
            DO UPDATE SET unique_key = excluded.unique_key
            RETURNING j.id, j.xmax::text <> '0' AS duplicate
            """
    )

    /// Many jobs in one round trip: one array per column, one element per job (`$9`
    /// the partition keys, NULL elements for none). Tags
    /// come as array literals (`{a,b}`) because PostgreSQL arrays cannot be ragged.
    package static let insertMany = PreparedStatement(
        name: "kheo.jobs.insert_many",
        sql: """
            INSERT INTO kheo.jobs (queue, kind, args, priority, state, max_attempts, scheduled_at, tags, partition_key)
            SELECT r.queue, r.kind, r.args::jsonb, r.priority,
                   CASE WHEN r.at > now() THEN 'scheduled' ELSE 'available' END::kheo.job_state,
                   r.max_attempts, r.at, r.tags::text[], r.partition_key
            FROM (
                SELECT u.queue, u.kind, u.args, u.priority, u.max_attempts, u.tags, u.partition_key,
                       CASE WHEN u.at_us IS NULL THEN now() + u.delay_us * interval '1 microsecond'
                            ELSE timestamptz 'epoch' + u.at_us * interval '1 microsecond' END AS at
                FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::bigint[], $7::bigint[], $8::text[],
                            $9::text[])
                     AS u(queue, kind, args, priority, max_attempts, at_us, delay_us, tags, partition_key)
            ) AS r
            RETURNING id
            """
    )

    /// Many jobs of one kind with the same options, the usual bulk enqueue (a reminder
    /// per deadline, a report per unit): only the args travel as an array, so the
    /// server parses one array instead of eight. `$1`–`$8` as in `insertOne`, with
    /// `$3` an array of JSON texts and `$9` one of partition keys (NULL elements for
    /// none; an empty array when no job has one).
    package static let insertManyShared = PreparedStatement(
        name: "kheo.jobs.insert_many_shared",
        sql: """
            INSERT INTO kheo.jobs (queue, kind, args, priority, state, max_attempts, scheduled_at, tags, partition_key)
            SELECT $1, $2, u.args::jsonb, $4, CASE WHEN t.at > now() THEN 'scheduled' ELSE 'available' END::kheo.job_state,
                   $7, t.at, $8::text[], u.partition_key
            FROM (SELECT coalesce($5::timestamptz, now() + $6::bigint * interval '1 microsecond') AS at) AS t,
                 unnest($3::text[], $9::text[]) AS u(args, partition_key)
            RETURNING id
            """
    )

    /// The worker's one round trip: record the outcomes of finished jobs (fenced by
    /// state, attempt and lease owner), then claim up to the free slots of each queue
    /// with SKIP LOCKED. Both in one statement and one commit.
    ///
    /// Outcomes: `$1` ids, `$2` attempts, `$3` new states, `$4` delays (µs) for the
    /// states that run again, `$5` error objects as JSON text ('' for none), `$6` the
    /// node. Claims: `$7` queues, `$8` slots, `$9` lease length (ms), and per queue a
    /// cursor, `$10` priority, `$11` scheduled time (µs since the epoch), `$12` id.
    /// A snoozed job (`scheduled`) or one handed back (`available`) gets its attempt back.
    ///
    /// The cursor is the last job the node claimed from that queue, and the claim reads
    /// the index from just past it. Claimed jobs leave dead entries at the head of the
    /// claim index until VACUUM reaches them; scanning from the head meant stepping over
    /// all of them on every claim, so each claim got slower as a large backlog drained
    /// (10 ms per claim after 200,000 jobs). A cursor of priority -1 reads from the head;
    /// the worker goes back to the head when a claim comes back short and at least
    /// every second, or, while reads from the head are slow (a long transaction keeps
    /// their dead entries), only every twenty such reads' time, ten seconds at most
    /// (`ClaimCursor.headInterval`).
    ///
    /// Each claim first takes the jobs of higher priority than the cursor's (`ahead`,
    /// a short range of the index that lies before the dead entries), then fills its
    /// remaining slots from the cursor (`rest`). A priority-0 job sent while a burst of
    /// priority-5 jobs drains is claimed by the next round trip: it waited 100–235 ms
    /// (p50–p99) when only a restart from the head could find it, and those restarts,
    /// one per announced job, each stepped over every dead entry the burst had left.
    /// Only a job of the cursor's own priority scheduled before it (a retry coming due)
    /// waits for the next restart.
    ///
    /// The claimed rows are updated through `id = ANY (ARRAY(…))`, not a join: the
    /// prepared statement runs on a generic plan that cannot see the slot counts, and
    /// with a join it guessed a huge claim and hashed a sequential scan of the whole
    /// table on every round trip once the backlog reached a few hundred thousand jobs.
    ///
    /// Claims skip queues that are paused (`kheo.queues.paused_at`), so a pause holds
    /// from the next claim of every node on.
    ///
    /// The outcome fence tests `state IS NOT DISTINCT FROM 'running'`, not `state =
    /// 'running'`, on purpose. With `=`, the generic plan (see `WorkerSession`) read
    /// `jobs_lease`, the partial index of running jobs, and joined every entry to the
    /// outcomes: it thinks few jobs run, but that index also holds one dead entry per
    /// job finished since the last VACUUM, so a drain would slow down as it went. The
    /// planner cannot prove that index's predicate from `IS NOT DISTINCT FROM`, so the
    /// outcomes look their jobs up by primary key. `extendLeases` does the same.
    ///
    /// The outcomes are joined to their jobs by a hash join whatever the statistics
    /// say, and the jobs are read through `j.id = ANY ($1)`, so no plan can read more
    /// jobs than there are outcomes. Both halves matter:
    /// - Without `ANY`, a plan made when the statistics called the table empty (VACUUM
    ///   after a prune sets `reltuples` to 0 while the pages stay) hashed a scan of
    ///   the whole primary key: 160 ms per round trip, a drain at a quarter speed.
    /// - With `unnest` as the outcomes, the planner guessed 10 of them and chose a
    ///   nested loop that re-ran the `unnest` for every job, n² work: 100 outcomes
    ///   took 8.4 ms of an 11 ms round trip. `generate_subscripts` is costed as 1,000
    ///   rows, so a hash join is the cheapest plan in every state tried (empty,
    ///   analyzed empty, 1M rows, 1M pruned and vacuumed).
    ///
    /// `EXPLAIN (ANALYZE, BUFFERS)`, 100 outcomes and 50 claims, before:
    ///
    ///     CTE finished -> Update on jobs j (actual time=0.548..8.438 rows=100)
    ///         -> Nested Loop  Join Filter: ((j.id = o.id) AND (j.attempt = o.attempt))
    ///              Rows Removed by Join Filter: 9900
    ///              -> Index Scan using jobs_pkey on jobs j  Index Cond: (id = ANY ($1))
    ///              -> Function Scan on o (actual time=0.002..0.046 rows=100 loops=100)
    ///     Execution Time: 11.124 ms
    ///
    /// and now, in each of those states:
    ///
    ///     CTE finished -> Update on jobs j (actual time=0.824..2.552 rows=100)
    ///         -> Hash Join  Hash Cond: ((($1)[i.i] = j.id) AND (($2)[i.i] = j.attempt))
    ///              -> Function Scan on generate_subscripts i (rows=100 loops=1)
    ///              -> Hash -> Index Scan using jobs_pkey on jobs j (rows=100)
    ///                           Index Cond: (id = ANY ($1))
    ///     Execution Time: 4.0 ms
    ///
    /// The generic plan is made once, with the statistics of that moment, and kept until
    /// an ANALYZE. Made on an empty table (a node started on an idle queue), it read the
    /// whole table for both `finished` and `claimed`, the cheapest path there; a burst
    /// then made every claim slow until autovacuum analyzed, up to a minute later (300,000
    /// jobs drained at 1,100 a second, then at 50,000). `EXPLAIN (ANALYZE, BUFFERS)` of
    /// this statement prepared on an empty table, claiming 50 after 300,000 arrived:
    ///
    ///     CTE finished -> Update on jobs j -> Nested Loop
    ///         -> Seq Scan on jobs j (actual time=75.262..75.264 rows=0)
    ///              Rows Removed by Filter: 300000   Buffers: shared hit=6123
    ///     CTE claimed -> Update on jobs j_1
    ///         -> Seq Scan on jobs j_1 (actual time=0.279..179.481 rows=50)
    ///              Filter: (id = ANY ($9))   Rows Removed by Filter: 299950
    ///     Execution Time: 256.540 ms
    ///
    /// and with `enable_seqscan = off`, which the worker's session sets (`WorkerSession`):
    ///
    ///     CTE finished -> Nested Loop -> Function Scan on o (rows=0)
    ///         -> Index Scan using jobs_pkey on jobs j (never executed)
    ///     CTE claimed -> Update on jobs j_1
    ///         -> Bitmap Heap Scan on jobs j_1 (actual time=0.384..0.464 rows=50)
    ///              -> Bitmap Index Scan on jobs_pkey (rows=50)
    ///     Execution Time: 2.175 ms
    ///
    /// Every statement of the worker's session has an index to read, so ruling the full
    /// scan out only removes the wrong choice; the maintenance functions carry the same
    /// setting (migration 0022).
    package static let finishAndClaim = PreparedStatement(
        name: "kheo.jobs.finish_and_claim",
        sql: finishAndClaimCTEs + """

            SELECT (SELECT coalesce(array_agg(id), '{}') FROM finished) AS finished,
                   c.id, c.queue, c.kind, c.args, c.attempt, c.max_attempts, c.priority, c.scheduled_at, c.scheduled_us,
                   c.inserted_at, c.tags, NULL::bigint AS held_back_ms
            FROM (SELECT 1) AS one LEFT JOIN claimed AS c ON true
            """
    )

    /// `finishAndClaim` for a node one of whose queues has limits or is fair
    /// (`QueueLimits`): those queues are claimed by `kheo.claim_limited`, the others as
    /// in `finishAndClaim`. A second statement rather than one for all, because the
    /// extra branch cost every claim of every node about 0.15 ms more planning behind a
    /// transaction pooler, and pickup latency 0.2 ms at the median directly, whether
    /// or not any queue was limited. A node learns which of its queues are limited
    /// when it registers and with each heartbeat (`WorkerLoop.limitedQueues`); until
    /// then `wanted` leaves a newly limited queue alone, so no claim ever passes a limit.
    package static let finishAndClaimLimited = PreparedStatement(
        name: "kheo.jobs.finish_and_claim_limited",
        sql: finishAndClaimCTEs + """
            , limited_queues AS MATERIALIZED (
                -- Materialized, so the limited queues are picked before any claim runs.
                SELECT u.queue, u.slots FROM unnest($7::text[], $8::int[]) AS u(queue, slots)
                JOIN kheo.queues AS p ON p.name = u.queue AND p.limited AND p.paused_at IS NULL
            ), limited AS (
                SELECT l.* FROM limited_queues AS u
                CROSS JOIN LATERAL kheo.claim_limited(u.queue, u.slots, $6::uuid, $9::bigint) AS l
            ), taken AS (
                SELECT c.*, NULL::bigint AS held_back_ms FROM claimed AS c
                UNION ALL
                SELECT * FROM limited
            )
            SELECT (SELECT coalesce(array_agg(id), '{}') FROM finished) AS finished,
                   c.id, c.queue, c.kind, c.args, c.attempt, c.max_attempts, c.priority, c.scheduled_at, c.scheduled_us,
                   c.inserted_at, c.tags, c.held_back_ms
            FROM (SELECT 1) AS one LEFT JOIN taken AS c ON true
            """
    )

    /// The common table expressions of `finishAndClaim` (`finished`, `wanted`,
    /// `claimed`), for callers that want a different final SELECT (the bench).
    ///
    /// `finished` is two writes (see `JobHistorySQL`): `kept` updates the jobs that stay
    /// in `kheo.jobs` (they run again, or a unique job's final state still blocks
    /// duplicates), `moved` deletes the others and `archived` inserts their finished
    /// form into `kheo.job_history`. Both read the outcomes the same way, so each keeps
    /// the plan described on `finishAndClaim`.
    package static let finishAndClaimCTEs = """
            WITH kept AS (
                UPDATE kheo.jobs AS j SET
                    state = o.state::kheo.job_state,
                    attempt = CASE WHEN o.state IN ('scheduled', 'available') THEN j.attempt - 1 ELSE j.attempt END,
                    scheduled_at = CASE WHEN o.state IN ('scheduled', 'available', 'retryable')
                                        THEN now() + o.delay_us * interval '1 microsecond' ELSE j.scheduled_at END,
                    finalized_at = CASE WHEN o.state IN ('completed', 'cancelled', 'discarded') THEN now() END,
                    errors = CASE WHEN o.error = '' THEN j.errors
                                  ELSE j.errors || jsonb_build_array(o.error::jsonb || jsonb_build_object('at', now())) END,
                    lease_owner = NULL,
                    lease_expires_at = NULL
                FROM \(outcomes) AS o
                WHERE j.id = ANY ($1::bigint[]) AND j.id = o.id AND j.attempt = o.attempt
                  AND j.state IS NOT DISTINCT FROM 'running' AND j.lease_owner = $6::uuid
                  AND (o.state NOT IN ('completed', 'cancelled', 'discarded')
                       OR \(JobHistorySQL.staysForUniqueness("j", finishingIn: "o.state::kheo.job_state")))
                RETURNING j.id
            ), moved AS (
                DELETE FROM kheo.jobs AS j
                USING \(outcomes) AS o
                WHERE j.id = ANY ($1::bigint[]) AND j.id = o.id AND j.attempt = o.attempt
                  AND j.state IS NOT DISTINCT FROM 'running' AND j.lease_owner = $6::uuid
                  AND o.state IN ('completed', 'cancelled', 'discarded')
                  AND NOT \(JobHistorySQL.staysForUniqueness("j", finishingIn: "o.state::kheo.job_state"))
                RETURNING j.*, o.state AS finished_state, o.error AS finished_error
            ), archived AS (
                \(JobHistorySQL.archive(from: "moved", overriding: [
                    "state": "moved.finished_state::kheo.job_state",
                    "finalized_at": "now()",
                    "errors": "CASE WHEN moved.finished_error = '' THEN moved.errors ELSE moved.errors || "
                        + "jsonb_build_array(moved.finished_error::jsonb || jsonb_build_object('at', now())) END",
                ]))
            ), finished AS (
                SELECT id FROM kept UNION ALL SELECT id FROM moved
            ), wanted AS (
                SELECT next.id
                FROM (
                    SELECT u.* FROM unnest($7::text[], $8::int[], $10::int[], $11::bigint[], $12::bigint[])
                                    AS u(queue, slots, after_priority, after_us, after_id)
                    WHERE NOT EXISTS (SELECT 1 FROM kheo.queues AS p WHERE p.name = u.queue AND (p.paused_at IS NOT NULL OR p.limited))
                ) AS q
                CROSS JOIN LATERAL (
                    SELECT coalesce(array_agg(a.id), '{}') AS ids FROM (
                        SELECT id FROM kheo.jobs
                        WHERE state = 'available' AND queue = q.queue AND priority < q.after_priority
                        ORDER BY priority, scheduled_at, id
                        LIMIT q.slots
                        FOR UPDATE SKIP LOCKED
                    ) AS a
                ) AS ahead
                CROSS JOIN LATERAL (
                    SELECT coalesce(array_agg(r.id), '{}') AS ids FROM (
                        SELECT id FROM kheo.jobs
                        WHERE state = 'available' AND queue = q.queue
                          AND (priority, scheduled_at, id)
                              > (q.after_priority, timestamptz 'epoch' + q.after_us * interval '1 microsecond', q.after_id)
                        ORDER BY priority, scheduled_at, id
                        LIMIT q.slots - cardinality(ahead.ids)
                        FOR UPDATE SKIP LOCKED
                    ) AS r
                ) AS rest
                CROSS JOIN LATERAL unnest(ahead.ids || rest.ids) AS next(id)
            ), claimed AS (
                UPDATE kheo.jobs AS j SET
                    state = 'running',
                    attempt = j.attempt + 1,
                    attempted_at = now(),
                    attempted_by = j.attempted_by || $6::uuid,
                    lease_owner = $6::uuid,
                    lease_expires_at = now() + $9::bigint * interval '1 millisecond'
                WHERE j.id = ANY (ARRAY(SELECT id FROM wanted))
                RETURNING j.id, j.queue, j.kind, j.args::text AS args, j.attempt, j.max_attempts,
                          j.priority::int AS priority, j.scheduled_at,
                          (extract(epoch FROM j.scheduled_at) * 1000000)::bigint AS scheduled_us, j.inserted_at, j.tags
            )
            """

    /// The outcomes of `finishAndClaim` as rows: `$1` ids, `$2` attempts, `$3` states,
    /// `$4` delays, `$5` errors. `generate_subscripts` is costed as 1,000 rows, which
    /// keeps the join to the jobs a hash join (see `finishAndClaim`).
    static let outcomes = """
        (SELECT ($1::bigint[])[i] AS id, ($2::int[])[i] AS attempt, ($3::text[])[i] AS state,
                ($4::bigint[])[i] AS delay_us, ($5::text[])[i] AS error
         FROM generate_subscripts($1::bigint[], 1) AS i)
        """

    /// Completes one job inside a handler's own transaction (fenced like every write).
    package static let completeOne = PreparedStatement(
        name: "kheo.jobs.complete_one",
        sql: """
            WITH kept AS (
                UPDATE kheo.jobs AS j SET state = 'completed', finalized_at = now(), lease_owner = NULL, lease_expires_at = NULL
                WHERE j.id = $1 AND j.attempt = $2 AND j.state = 'running' AND j.lease_owner = $3::uuid
                  AND \(JobHistorySQL.staysForUniqueness("j", finishingIn: "'completed'::kheo.job_state"))
                RETURNING j.id
            ), moved AS (
                DELETE FROM kheo.jobs AS j
                WHERE j.id = $1 AND j.attempt = $2 AND j.state = 'running' AND j.lease_owner = $3::uuid
                  AND NOT \(JobHistorySQL.staysForUniqueness("j", finishingIn: "'completed'::kheo.job_state"))
                RETURNING j.*
            ), archived AS (
                \(JobHistorySQL.archive(from: "moved", overriding: ["state": "'completed'", "finalized_at": "now()"]))
            )
            SELECT (SELECT count(*) FROM kept) + (SELECT count(*) FROM moved) AS completed
            """
    )

    /// Extends the leases of a node's running jobs; returns the ids still held, and
    /// whether an operator asked to cancel each. (On
    /// `IS NOT DISTINCT FROM`, see `finishAndClaim`.)
    package static let extendLeases = PreparedStatement(
        name: "kheo.jobs.extend_leases",
        sql: """
            UPDATE kheo.jobs AS j SET lease_expires_at = now() + $3::bigint * interval '1 millisecond'
            FROM (SELECT ($1::bigint[])[i] AS id, ($2::int[])[i] AS attempt FROM generate_subscripts($1::bigint[], 1) AS i) AS r
            WHERE j.id = ANY ($1::bigint[]) AND j.id = r.id AND j.attempt = r.attempt
              AND j.state IS NOT DISTINCT FROM 'running' AND j.lease_owner = $4::uuid
            RETURNING j.id, j.cancel_requested_at IS NOT NULL AS cancel_requested
            """
    )

    /// Microseconds until the earliest scheduled or retryable job is due (NULL when none).
    ///
    /// `ORDER BY … LIMIT 1`, not `min(scheduled_at)`: planned where the statistics say no
    /// job is scheduled (a fresh table, or one analyzed before tonight's reminders were
    /// enqueued), `min` became an aggregate over every scheduled job rather than the
    /// first entry of `jobs_due`. With 100,000 reminders scheduled:
    ///
    ///     Aggregate (rows=1) (actual rows=1) — 25.9 ms
    ///       -> Index Only Scan using jobs_due (rows=1) (actual rows=100000)
    ///
    /// and with the limit, whatever the statistics:
    ///
    ///     Limit (actual rows=1) — 0.02 ms
    ///       -> Index Only Scan using jobs_due (actual rows=1)
    package static let nextDue = PreparedStatement(
        name: "kheo.jobs.next_due",
        sql: """
            SELECT (extract(epoch FROM (
                SELECT scheduled_at FROM kheo.jobs WHERE state IN ('scheduled', 'retryable') ORDER BY scheduled_at LIMIT 1
            ) - now()) * 1000000)::bigint AS due_in_us
            """
    )

    /// Makes up to `$1` scheduled and retryable jobs whose time came available, oldest
    /// first, and wakes the nodes listening on their queues (one notification per
    /// queue). `ANY(ARRAY(…))` keeps the update on primary-key lookups whatever the
    /// planner believes of the batch (planned on an empty table, a join to the batch
    /// once read every row of `kheo.jobs` for each due job: 86.8 s for 1,000 after a
    /// burst of 300,000). (Until kheo 0.3 this was the function `kheo.promote_due_jobs`.)
    package static let promoteDue = PreparedStatement(
        name: "kheo.jobs.promote",
        sql: """
            WITH due AS (
                SELECT id FROM kheo.jobs
                WHERE state IN ('scheduled', 'retryable') AND scheduled_at <= now()
                ORDER BY scheduled_at
                LIMIT $1
                FOR UPDATE SKIP LOCKED
            ), moved AS (
                UPDATE kheo.jobs SET state = 'available'
                WHERE id = ANY (ARRAY(SELECT id FROM due))
                RETURNING queue
            )
            SELECT (SELECT count(*) FROM moved)::int4 AS promoted,
                   (SELECT count(pg_notify('kheo_jobs', queue)) FROM (SELECT DISTINCT queue FROM moved) AS woken) AS notified
            """
    )

    /// True while the queues hold work a worker should wait for: available, running or
    /// retryable jobs, or scheduled ones already due. Jobs scheduled later do not count.
    ///
    /// One `EXISTS` per partial index (claim, lease, due), so each reads only its own
    /// small index. A single `EXISTS` over all the states scanned the whole table,
    /// finished jobs included: 230 ms per check once 1.2 million jobs had run (0.1 ms now).
    package static let hasPendingWork = PreparedStatement(
        name: "kheo.jobs.has_pending_work",
        sql: """
            SELECT EXISTS (SELECT 1 FROM kheo.jobs WHERE state = 'available' AND queue = ANY($1::text[]))
                OR EXISTS (SELECT 1 FROM kheo.jobs WHERE state = 'running' AND queue = ANY($1::text[]))
                OR EXISTS (
                    SELECT 1 FROM kheo.jobs
                    WHERE state IN ('scheduled', 'retryable') AND queue = ANY($1::text[])
                      AND (state = 'retryable' OR scheduled_at <= now())
                ) AS pending
            """
    )
}
