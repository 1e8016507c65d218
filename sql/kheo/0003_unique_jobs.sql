-- Unique jobs: a job may carry a key, and while a job with that key is in one of its
-- unique states, inserting another with the same key inserts nothing and returns the
-- existing job. The partial unique index is the guard, so concurrent producers cannot
-- race past it, and a producer whose transaction rolls back leaves nothing behind
-- (no advisory lock outlives a transaction).

ALTER TABLE kheo.jobs
    ADD COLUMN unique_key uuid,
    ADD COLUMN unique_states kheo.job_state[];

-- The unique states always include every unfinished state: a job moving between
-- them (a retry, a snooze, a rescue) then never enters the index where a duplicate
-- already sits, which would fail the worker's batched write. Only finished states
-- are optional (e.g. completed: once per period even after it ran).
ALTER TABLE kheo.jobs ADD CONSTRAINT jobs_unique_states_cover_unfinished CHECK (
    unique_key IS NULL OR unique_states @> '{scheduled,available,running,retryable}');

COMMENT ON COLUMN kheo.jobs.unique_key IS 'Hash of what makes the job unique (kheo.unique_key); NULL for ordinary jobs.';
COMMENT ON COLUMN kheo.jobs.unique_states IS 'The states in which this job blocks a duplicate.';

CREATE UNIQUE INDEX jobs_unique ON kheo.jobs (unique_key)
    WHERE unique_key IS NOT NULL AND state = ANY (unique_states);

-- What makes a job unique, hashed: always its kind; its queue when by_queue; its args
-- when by_args is not NULL (all of them for an empty array, else only the named
-- top-level fields); the period its scheduled time falls in (whole multiples of
-- by_period_seconds since the Unix epoch, so UTC days for 86400); and any extra text
-- the caller adds (a cron entry's fire time). jsonb's text form is canonical, so the
-- same args give the same key whatever their key order or spacing.
CREATE FUNCTION kheo.unique_key(
    kind              text,
    queue             text,
    args              jsonb,
    scheduled_at      timestamptz,
    by_args           text[],
    by_queue          boolean,
    by_period_seconds bigint,
    extra             text DEFAULT NULL
) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT md5(jsonb_build_array(
        kind,
        CASE WHEN by_queue THEN queue END,
        CASE WHEN by_args IS NULL THEN NULL
             WHEN cardinality(by_args) = 0 THEN args
             ELSE (SELECT coalesce(jsonb_object_agg(field, args -> field), '{}')
                   FROM unnest(by_args) AS field WHERE args ? field) END,
        CASE WHEN by_period_seconds > 0
             THEN floor(extract(epoch FROM scheduled_at) / by_period_seconds)::bigint END,
        extra
    )::text)::uuid
$$;

-- kheo.enqueue gains unique jobs: pass unique => true (with any of the unique_* knobs)
-- and a duplicate returns the existing job's id.
DROP FUNCTION kheo.enqueue(text, jsonb, text, integer, timestamptz, integer, text[], jsonb);

CREATE FUNCTION kheo.enqueue(
    kind              text,
    args              jsonb DEFAULT '{}',
    queue             text DEFAULT 'default',
    priority          integer DEFAULT 0,
    run_at            timestamptz DEFAULT NULL,
    max_attempts      integer DEFAULT 20,
    tags              text[] DEFAULT '{}',
    metadata          jsonb DEFAULT '{}',
    "unique"          boolean DEFAULT false,
    unique_by_args    text[] DEFAULT '{}',
    unique_by_queue   boolean DEFAULT false,
    unique_period     interval DEFAULT NULL,
    unique_states     kheo.job_state[] DEFAULT '{scheduled,available,running,retryable}'
) RETURNS bigint
LANGUAGE plpgsql AS $$
-- Bare names are columns (the conflict target names unique_states); parameters are
-- always written enqueue.name.
#variable_conflict use_column
DECLARE
    new_id bigint;
    at timestamptz := coalesce(enqueue.run_at, now());
BEGIN
    IF enqueue.kind IS NULL OR enqueue.kind !~ '^[A-Za-z0-9_.:-]{1,128}$' THEN
        RAISE EXCEPTION 'invalid job kind %', quote_literal(enqueue.kind)
            USING ERRCODE = '22023', HINT = 'A kind is 1 to 128 letters, digits, and . _ : -';
    END IF;
    IF enqueue.queue IS NULL OR enqueue.queue !~ '^[A-Za-z0-9_.-]{1,128}$' THEN
        RAISE EXCEPTION 'invalid queue name %', quote_literal(enqueue.queue)
            USING ERRCODE = '22023', HINT = 'A queue name is 1 to 128 letters, digits, and . _ -';
    END IF;
    IF octet_length(enqueue.args::text) > 1048576 THEN
        RAISE EXCEPTION 'job args are % bytes, over the 1 MiB limit', octet_length(enqueue.args::text)
            USING ERRCODE = '54000', HINT = 'Store large data in a table and pass its key in the args.';
    END IF;
    IF enqueue."unique" AND NOT enqueue.unique_states @> '{scheduled,available,running,retryable}' THEN
        RAISE EXCEPTION 'unique states % leave out an unfinished state', enqueue.unique_states
            USING ERRCODE = '22023', HINT = 'Unique states always include scheduled, available, running and retryable; add completed, cancelled or discarded to also block duplicates of finished jobs.';
    END IF;
    INSERT INTO kheo.jobs AS j (queue, kind, args, priority, state, max_attempts, scheduled_at, tags, metadata,
                                unique_key, unique_states)
    VALUES (
        enqueue.queue, enqueue.kind, coalesce(enqueue.args, '{}'), enqueue.priority,
        CASE WHEN at > now() THEN 'scheduled' ELSE 'available' END::kheo.job_state,
        enqueue.max_attempts, at, coalesce(enqueue.tags, '{}'), coalesce(enqueue.metadata, '{}'),
        CASE WHEN enqueue."unique" THEN kheo.unique_key(
            enqueue.kind, enqueue.queue, coalesce(enqueue.args, '{}'), at, enqueue.unique_by_args,
            enqueue.unique_by_queue, extract(epoch FROM enqueue.unique_period)::bigint) END,
        CASE WHEN enqueue."unique" THEN enqueue.unique_states END)
    ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state = ANY (unique_states)
    DO UPDATE SET unique_key = excluded.unique_key
    RETURNING j.id INTO new_id;
    RETURN new_id;
END
$$;
