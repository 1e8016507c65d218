-- Limits and fairness, enforced where jobs are claimed, so they hold across every node.
--
-- A queue may carry:
-- - a concurrency limit: at most N of its jobs running at once, in the whole queue,
--   per kind, or per key;
-- - a rate limit: at most N of its jobs started in any window of W (a sliding window:
--   every start is recorded in kheo.job_starts and counted while it is in the window);
-- - fairness by key: each claim takes one job from each key in turn, starting after
--   the key the last claim ended on, so a key with 100,000 jobs waiting delays another
--   key's job by at most one claim.
--
-- A job's key is `partition_key`, set when it is enqueued (the job type names it in
-- code, or the producer, the API or kheo.enqueue give it): the unit a job works for,
-- the webhook a delivery goes to. Jobs without a key share one key in a queue that
-- is limited or fair by key, read from the claim index's first entries only: give
-- every job of such a queue a key.
--
-- Claims of a limited or fair queue go through kheo.claim_limited, which takes a
-- transaction-level advisory lock for the queue before it counts what runs. So the
-- claims of one such queue are serialised across all nodes, for the few milliseconds
-- of a claim, never across a job's run; claims of other queues are not touched.

ALTER TABLE kheo.jobs ADD COLUMN partition_key text
    CONSTRAINT jobs_partition_key_length CHECK (char_length(partition_key) BETWEEN 1 AND 256);
ALTER TABLE kheo.job_history ADD COLUMN partition_key text;

COMMENT ON COLUMN kheo.jobs.partition_key IS
    'The key a queue''s per-key limits and fairness count by (a unit id, a webhook id); NULL for none.';

-- The keys of a queue's available jobs, and the head of each: claims of a queue
-- limited or fair by key step from key to key through this index. Partial, so jobs
-- without a key (almost all of them in most queues) cost nothing here.
CREATE INDEX jobs_claim_by_key ON kheo.jobs (queue, partition_key, priority, scheduled_at, id)
    WHERE state = 'available' AND partition_key IS NOT NULL;

ALTER TABLE kheo.queues
    ADD COLUMN concurrency_limit integer CONSTRAINT queues_concurrency_limit CHECK (concurrency_limit BETWEEN 1 AND 100000),
    ADD COLUMN concurrency_by text NOT NULL DEFAULT 'queue'
        CONSTRAINT queues_concurrency_by CHECK (concurrency_by IN ('queue', 'kind', 'key')),
    ADD COLUMN rate_limit integer CONSTRAINT queues_rate_limit CHECK (rate_limit BETWEEN 1 AND 1000000),
    ADD COLUMN rate_window_ms bigint CONSTRAINT queues_rate_window CHECK (rate_window_ms BETWEEN 1 AND 86400000),
    ADD COLUMN rate_by text NOT NULL DEFAULT 'queue' CONSTRAINT queues_rate_by CHECK (rate_by IN ('queue', 'kind', 'key')),
    ADD COLUMN fair boolean NOT NULL DEFAULT false,
    ADD COLUMN fair_after text,
    ADD CONSTRAINT queues_rate_complete CHECK ((rate_limit IS NULL) = (rate_window_ms IS NULL)),
    ADD COLUMN limited boolean GENERATED ALWAYS AS (concurrency_limit IS NOT NULL OR rate_limit IS NOT NULL OR fair) STORED;

COMMENT ON COLUMN kheo.queues.concurrency_limit IS 'At most this many jobs running at once, per concurrency_by (queue, kind or key).';
COMMENT ON COLUMN kheo.queues.rate_limit IS 'At most this many starts in any rate_window_ms, per rate_by (queue, kind or key).';
COMMENT ON COLUMN kheo.queues.fair IS 'Claims take one job from each key in turn.';
COMMENT ON COLUMN kheo.queues.fair_after IS 'The key the last claim ended on; the next starts after it.';

-- One row per start of a rate-limited queue's job, kept while it is inside the window.
CREATE TABLE kheo.job_starts (
    queue      text NOT NULL,
    scope      text NOT NULL,
    started_at timestamptz NOT NULL
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);

CREATE INDEX job_starts_scope ON kheo.job_starts (queue, scope, started_at);

COMMENT ON TABLE kheo.job_starts IS
    'Starts of rate-limited queues'' jobs inside their window; kheo.claim_limited adds and removes them.';

-- kheo.enqueue takes a partition_key (sql/kheo/functions/enqueue.sql): the function
-- file makes the new signature, which would otherwise stand beside this old one and
-- make every call ambiguous.
DROP FUNCTION IF EXISTS kheo.enqueue(text, jsonb, text, integer, timestamptz, integer, text[], jsonb, boolean, text[],
                                     boolean, interval, kheo.job_state[]);

-- The view was made with the columns of its day; it takes the new one at its end.
CREATE OR REPLACE VIEW kheo.all_jobs AS
    SELECT * FROM kheo.jobs
    UNION ALL
    SELECT * FROM kheo.job_history;
