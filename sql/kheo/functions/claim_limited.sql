-- Claims up to `slots` jobs of a queue that has limits or is fair by key (see
-- sql/kheo/0015_queue_limits.sql), for node `node`, with a lease of `lease_ms`.
-- The worker's round trip (JobSQL.finishAndClaim) calls it for such queues only.
--
-- Exact across nodes: the advisory lock serialises the claims of one queue, and every
-- statement after it reads a fresh snapshot (a volatile PL/pgSQL function under READ
-- COMMITTED), so it sees every claim committed before it; a job finishing meanwhile
-- can only be counted as still running, which admits fewer, never more. The lock ends
-- with the claim's transaction: nothing is held while the jobs run. Times are the
-- server's clock at the claim, not the transaction's start: claims ordered by the lock
-- then record their starts in that same order, which the sliding window relies on.
--
-- Returns the claimed jobs, then, when a limit held jobs back, one row with a NULL id:
-- `held_back_ms` is how long until a rate limit admits a start again, or -1 while a
-- job waits for a running one to finish (the node claims again shortly).
--
-- Applied again by kheo migrate whenever this file changes (CREATE OR REPLACE).
CREATE OR REPLACE FUNCTION kheo.claim_limited(claim_queue text, slots integer, node uuid, lease_ms bigint)
RETURNS TABLE (
    id bigint, queue text, kind text, args text, attempt integer, max_attempts integer, priority integer,
    scheduled_at timestamptz, scheduled_us bigint, inserted_at timestamptz, tags text[], held_back_ms bigint
)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
#variable_conflict use_column
DECLARE
    q kheo.queues;
    claimed_at timestamptz;
    rate_window interval;
    by_key boolean;
    running_by jsonb := '{}';
    started_by jsonb := '{}';
    oldest_by jsonb := '{}';
    keys text[] := '{}';
    k text;
    next_key text;
    wrapped boolean;
    examined integer := 0;
    max_keys constant integer := 1000;
    waits_for_running boolean := false;
    rate_frees_at timestamptz;
    chosen bigint[] := '{}';
    last_key text;
    c record;
    cs text;
    rs text;
BEGIN
    IF slots < 1 THEN
        RETURN;
    END IF;
    -- 'khel' in ASCII: Migrator's lock is 'kheo'.
    PERFORM pg_advisory_xact_lock(1802003820, hashtext(claim_queue));
    SELECT * INTO q FROM kheo.queues AS p WHERE p.name = claim_queue;
    IF NOT FOUND OR q.paused_at IS NOT NULL OR NOT q.limited THEN
        RETURN;
    END IF;
    claimed_at := clock_timestamp();
    rate_window := q.rate_window_ms * interval '1 millisecond';
    by_key := q.fair OR (q.concurrency_limit IS NOT NULL AND q.concurrency_by = 'key')
                     OR (q.rate_limit IS NOT NULL AND q.rate_by = 'key');

    IF q.concurrency_limit IS NOT NULL THEN
        SELECT coalesce(jsonb_object_agg(s.scope, s.jobs), '{}') INTO running_by
        FROM (
            SELECT CASE q.concurrency_by WHEN 'kind' THEN j.kind WHEN 'key' THEN coalesce(j.partition_key, '') ELSE '' END AS scope,
                   count(*) AS jobs
            FROM kheo.jobs AS j
            WHERE j.state = 'running' AND j.queue = claim_queue
            GROUP BY 1
        ) AS s;
    END IF;
    IF q.rate_limit IS NOT NULL THEN
        DELETE FROM kheo.job_starts AS s WHERE s.queue = claim_queue AND s.started_at <= claimed_at - rate_window;
        SELECT coalesce(jsonb_object_agg(s.scope, s.starts), '{}'), coalesce(jsonb_object_agg(s.scope, s.oldest), '{}')
        INTO started_by, oldest_by
        FROM (
            SELECT s.scope, count(*) AS starts, min(s.started_at) AS oldest
            FROM kheo.job_starts AS s WHERE s.queue = claim_queue GROUP BY s.scope
        ) AS s;
    END IF;

    IF by_key THEN
        -- The keys with available jobs, in turn from the one after the last claim's,
        -- round to the start; each is one step down jobs_claim_by_key. Keys a limit
        -- holds back are passed over; at most max_keys are looked at per claim.
        k := q.fair_after;
        wrapped := k IS NULL;
        LOOP
            SELECT j.partition_key INTO next_key
            FROM kheo.jobs AS j
            WHERE j.state = 'available' AND j.queue = claim_queue AND j.partition_key IS NOT NULL
              AND j.partition_key > coalesce(k, '')
            ORDER BY j.partition_key
            LIMIT 1;
            IF next_key IS NULL THEN
                EXIT WHEN wrapped;
                wrapped := true;
                k := NULL;
                CONTINUE;
            END IF;
            EXIT WHEN wrapped AND q.fair_after IS NOT NULL AND next_key > q.fair_after;
            k := next_key;
            examined := examined + 1;
            IF q.concurrency_limit IS NOT NULL AND q.concurrency_by = 'key'
               AND coalesce((running_by ->> k)::int, 0) >= q.concurrency_limit THEN
                waits_for_running := true;
            ELSIF q.rate_limit IS NOT NULL AND q.rate_by = 'key' AND coalesce((started_by ->> k)::int, 0) >= q.rate_limit THEN
                rate_frees_at := least(rate_frees_at, (oldest_by ->> k)::timestamptz + rate_window);
            ELSE
                keys := keys || k;
            END IF;
            EXIT WHEN cardinality(keys) >= slots OR examined >= max_keys;
        END LOOP;
        IF examined >= max_keys AND cardinality(keys) = 0 THEN
            -- Every key looked at is held back: the next claim goes on from here.
            UPDATE kheo.queues AS p SET fair_after = k WHERE p.name = claim_queue;
            waits_for_running := true;
        END IF;
    END IF;

    FOR c IN
        -- By key: the head of each key, taken in turns (each key's first job, then
        -- each one's second, …), then the jobs without a key as one more key.
        SELECT h.id, h.kind, h.partition_key, h.turn, p.pos
        FROM unnest(keys) WITH ORDINALITY AS p(key, pos)
        CROSS JOIN LATERAL (
            SELECT j.id, j.kind, j.partition_key, row_number() OVER (ORDER BY j.priority, j.scheduled_at, j.id) AS turn
            FROM (
                SELECT j.id, j.kind, j.partition_key, j.priority, j.scheduled_at FROM kheo.jobs AS j
                WHERE j.state = 'available' AND j.queue = claim_queue AND j.partition_key = p.key
                ORDER BY j.priority, j.scheduled_at, j.id
                LIMIT slots
            ) AS j
        ) AS h
        WHERE by_key
        UNION ALL
        SELECT h.id, h.kind, h.partition_key,
               CASE WHEN by_key THEN row_number() OVER (ORDER BY h.priority, h.scheduled_at, h.id) ELSE 1 END,
               CASE WHEN by_key THEN cardinality(keys) + 1 ELSE row_number() OVER (ORDER BY h.priority, h.scheduled_at, h.id) END
        FROM (
            -- Without keys: the head of the claim index, looking a little further when
            -- a per-kind limit may pass over the first jobs.
            SELECT j.id, j.kind, j.partition_key, j.priority, j.scheduled_at FROM kheo.jobs AS j
            WHERE j.state = 'available' AND j.queue = claim_queue
            ORDER BY j.priority, j.scheduled_at, j.id
            LIMIT CASE WHEN by_key OR 'kind' IN (q.concurrency_by, q.rate_by) THEN 4 * slots ELSE slots END
        ) AS h
        WHERE NOT by_key OR h.partition_key IS NULL
        ORDER BY 4, 5
    LOOP
        EXIT WHEN cardinality(chosen) >= slots;
        cs := CASE q.concurrency_by WHEN 'kind' THEN c.kind WHEN 'key' THEN coalesce(c.partition_key, '') ELSE '' END;
        rs := CASE q.rate_by WHEN 'kind' THEN c.kind WHEN 'key' THEN coalesce(c.partition_key, '') ELSE '' END;
        IF q.concurrency_limit IS NOT NULL AND coalesce((running_by ->> cs)::int, 0) >= q.concurrency_limit THEN
            waits_for_running := true;
            CONTINUE;
        END IF;
        IF q.rate_limit IS NOT NULL AND coalesce((started_by ->> rs)::int, 0) >= q.rate_limit THEN
            rate_frees_at := least(rate_frees_at, coalesce((oldest_by ->> rs)::timestamptz, claimed_at) + rate_window);
            CONTINUE;
        END IF;
        IF q.concurrency_limit IS NOT NULL THEN
            running_by := jsonb_set(running_by, ARRAY[cs], to_jsonb(coalesce((running_by ->> cs)::int, 0) + 1));
        END IF;
        IF q.rate_limit IS NOT NULL THEN
            started_by := jsonb_set(started_by, ARRAY[rs], to_jsonb(coalesce((started_by ->> rs)::int, 0) + 1));
        END IF;
        chosen := chosen || c.id;
        IF c.partition_key IS NOT NULL THEN
            last_key := c.partition_key;
        END IF;
    END LOOP;

    IF by_key AND last_key IS NOT NULL AND last_key IS DISTINCT FROM q.fair_after THEN
        UPDATE kheo.queues AS p SET fair_after = last_key WHERE p.name = claim_queue;
    END IF;

    IF cardinality(chosen) > 0 THEN
        RETURN QUERY
        WITH claimed AS (
            UPDATE kheo.jobs AS j SET
                state = 'running',
                attempt = j.attempt + 1,
                attempted_at = claimed_at,
                attempted_by = j.attempted_by || node,
                lease_owner = node,
                lease_expires_at = claimed_at + lease_ms * interval '1 millisecond'
            WHERE j.id = ANY (chosen) AND j.state = 'available'
            RETURNING j.id, j.queue, j.kind, j.args, j.attempt, j.max_attempts, j.priority, j.scheduled_at,
                      j.inserted_at, j.tags, j.partition_key
        ), started AS (
            INSERT INTO kheo.job_starts (queue, scope, started_at)
            SELECT claim_queue, CASE q.rate_by WHEN 'kind' THEN s.kind WHEN 'key' THEN coalesce(s.partition_key, '') ELSE '' END,
                   claimed_at
            FROM claimed AS s
            WHERE q.rate_limit IS NOT NULL
        )
        SELECT s.id, s.queue, s.kind, s.args::text, s.attempt, s.max_attempts, s.priority::int, s.scheduled_at,
               (extract(epoch FROM s.scheduled_at) * 1000000)::bigint, s.inserted_at, s.tags, NULL::bigint
        FROM claimed AS s;
    END IF;

    IF waits_for_running OR rate_frees_at IS NOT NULL THEN
        RETURN QUERY SELECT NULL::bigint, claim_queue, NULL::text, NULL::text, NULL::int, NULL::int, NULL::int,
                            NULL::timestamptz, NULL::bigint, NULL::timestamptz, NULL::text[],
                            CASE WHEN waits_for_running THEN -1
                                 ELSE greatest(0, ceil(extract(epoch FROM rate_frees_at - clock_timestamp()) * 1000))::bigint END;
    END IF;
END
$$;

COMMENT ON FUNCTION kheo.claim_limited(text, integer, uuid, bigint) IS
    'Claims jobs of a queue with limits or fairness, exactly across nodes. Called by the worker''s round trip.';
