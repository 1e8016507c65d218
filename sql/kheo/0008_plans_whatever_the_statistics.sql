-- Plans that stay right whatever the statistics say. PL/pgSQL caches the plans of a
-- function's statements for the session, made on the table as the statistics then
-- describe it; a worker that starts on an empty queue plans on an empty table.
--
-- Promotion and rescue joined their batch (`due`, `expired`) to kheo.jobs. Planned on
-- an empty table, the join read every row of kheo.jobs and rescanned the batch for
-- each: promoting 1,000 due jobs after a burst of 300,000 took 86.8 s (EXPLAIN
-- ANALYZE: Index Scan using jobs_pkey on jobs j, rows=306000, joined to CTE Scan on
-- due, loops=306000). Now they update `id = ANY (ARRAY(batch))`, as pruning and the
-- claim do: the primary key is looked up once per id of the batch, whatever the
-- planner believes of the table's size (13 ms for the same 1,000, notices included).
--
-- And each of the three functions rules out reading the whole table for the length of
-- its call: every statement in them has an index (jobs_due, jobs_lease,
-- jobs_finalized, the primary key), whichever connection calls them.

CREATE OR REPLACE FUNCTION kheo.promote_due_jobs(max_jobs integer DEFAULT 1000) RETURNS integer
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
    promoted integer;
    woken text[];
BEGIN
    WITH due AS (
        SELECT id FROM kheo.jobs
        WHERE state IN ('scheduled', 'retryable') AND scheduled_at <= now()
        ORDER BY scheduled_at
        LIMIT max_jobs
        FOR UPDATE SKIP LOCKED
    ), moved AS (
        UPDATE kheo.jobs AS j SET state = 'available'
        WHERE j.id = ANY (ARRAY(SELECT id FROM due))
        RETURNING j.queue
    )
    SELECT count(*), coalesce(array_agg(DISTINCT queue), '{}') INTO promoted, woken FROM moved;
    PERFORM pg_notify('kheo_jobs', q) FROM unnest(woken) AS q;
    RETURN promoted;
END
$$;

CREATE OR REPLACE FUNCTION kheo.rescue_expired_jobs(max_jobs integer DEFAULT 1000) RETURNS integer
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
    rescued integer;
    woken text[];
BEGIN
    WITH expired AS (
        SELECT id FROM kheo.jobs
        WHERE state = 'running' AND lease_expires_at < now()
        ORDER BY lease_expires_at
        LIMIT max_jobs
        FOR UPDATE SKIP LOCKED
    ), moved AS (
        UPDATE kheo.jobs AS j SET
            state = CASE WHEN j.cancel_requested_at IS NOT NULL THEN 'cancelled'
                         WHEN j.attempt >= j.max_attempts THEN 'discarded'
                         ELSE 'available' END::kheo.job_state,
            finalized_at = CASE WHEN j.cancel_requested_at IS NOT NULL OR j.attempt >= j.max_attempts THEN now() END,
            errors = j.errors || jsonb_build_array(jsonb_build_object(
                'attempt', j.attempt,
                'at', now(),
                'type', 'lease_expired',
                'error', format('the lease of worker %s expired at %s; it was killed, froze or lost the database',
                                j.lease_owner, j.lease_expires_at))),
            lease_owner = NULL,
            lease_expires_at = NULL
        WHERE j.id = ANY (ARRAY(SELECT id FROM expired))
        RETURNING j.queue, j.state
    )
    SELECT count(*), coalesce(array_agg(DISTINCT queue) FILTER (WHERE state = 'available'), '{}')
        INTO rescued, woken FROM moved;
    PERFORM pg_notify('kheo_jobs', q) FROM unnest(woken) AS q;
    RETURN rescued;
END
$$;

ALTER FUNCTION kheo.prune_jobs(kheo.job_state, interval, integer) SET enable_seqscan = off;
