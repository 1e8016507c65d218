-- Enqueue from any language with only a PostgreSQL connection:
--   SELECT kheo.enqueue('report.generate', '{"unit": 12}', queue => 'reports');
--   SELECT kheo.enqueue('deadline.scan', unique => true, unique_period => '1 day');
--   SELECT kheo.enqueue('webhook.deliver', '{"delivery": 7}', queue => 'webhooks', partition_key => '12');
-- A duplicate of a unique job returns the existing job's id.
--
-- Applied again by kheo migrate whenever this file changes (CREATE OR REPLACE): edit
-- it in place, keeping its parameters (a new one goes last, with a default). Its first
-- definitions are in sql/kheo/0002_jobs.sql and 0003_unique_jobs.sql.
CREATE OR REPLACE FUNCTION kheo.enqueue(
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
    unique_states     kheo.job_state[] DEFAULT '{scheduled,available,running,retryable}',
    partition_key     text DEFAULT NULL
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
    IF enqueue.partition_key IS NOT NULL AND char_length(enqueue.partition_key) NOT BETWEEN 1 AND 256 THEN
        RAISE EXCEPTION 'invalid partition key %', quote_literal(left(enqueue.partition_key, 60))
            USING ERRCODE = '22023', HINT = 'A partition key is 1 to 256 characters (a unit''s id, a webhook''s id).';
    END IF;
    INSERT INTO kheo.jobs AS j (queue, kind, args, priority, state, max_attempts, scheduled_at, tags, metadata,
                                unique_key, unique_states, partition_key)
    VALUES (
        enqueue.queue, enqueue.kind, coalesce(enqueue.args, '{}'), enqueue.priority,
        CASE WHEN at > now() THEN 'scheduled' ELSE 'available' END::kheo.job_state,
        enqueue.max_attempts, at, coalesce(enqueue.tags, '{}'), coalesce(enqueue.metadata, '{}'),
        CASE WHEN enqueue."unique" THEN kheo.unique_key(
            enqueue.kind, enqueue.queue, coalesce(enqueue.args, '{}'), at, enqueue.unique_by_args,
            enqueue.unique_by_queue, extract(epoch FROM enqueue.unique_period)::bigint) END,
        CASE WHEN enqueue."unique" THEN enqueue.unique_states END, enqueue.partition_key)
    ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state = ANY (unique_states)
    DO UPDATE SET unique_key = excluded.unique_key
    RETURNING j.id INTO new_id;
    RETURN new_id;
END
$$;
