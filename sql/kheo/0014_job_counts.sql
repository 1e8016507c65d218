-- Counts that cost nothing to read. `kheo jobs stats`, `kheo queues list`, the
-- /metrics gauges and the console read how many jobs each queue holds in each state,
-- and how many finished per minute, from these two tables instead of counting jobs:
-- O(queues), not O(jobs), whatever the backlog or the history holds.
--
-- Every statement that changes kheo.jobs (or inserts into kheo.job_history) appends
-- one row per queue and state it changed, with the difference, from a statement-level
-- trigger: exact, in the writer's own transaction, and append-only, so no two writers
-- ever wait on the same counter row and no counter row collects the dead versions
-- that a long reader would keep alive (an UPDATE of a shared counter would walk a
-- longer and longer chain of them on every write). The leader folds the rows into one
-- per queue and state every second (JobCounts.compact); a reader sums what is there.

CREATE TABLE kheo.job_counts (
    queue text NOT NULL,
    state kheo.job_state NOT NULL,
    jobs  bigint NOT NULL
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000);

COMMENT ON TABLE kheo.job_counts IS
    'Jobs in kheo.jobs by queue and state, as differences to be summed: sum(jobs) GROUP BY queue, state is exact. Folded by the leader.';

CREATE TABLE kheo.job_minutes (
    queue  text NOT NULL,
    minute timestamptz NOT NULL,
    state  kheo.job_state NOT NULL,
    jobs   bigint NOT NULL
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000);

CREATE INDEX job_minutes_minute ON kheo.job_minutes (minute);

COMMENT ON TABLE kheo.job_minutes IS
    'Jobs finished per queue, UTC minute of finalized_at and final state, as differences to be summed. Folded by the leader; minutes past the longest retention are forgotten.';

-- The same by hour, so that "finished in the last day" sums a few dozen rows per
-- queue rather than 1,440 (JobCounts.finished).
CREATE TABLE kheo.job_hours (
    queue text NOT NULL,
    hour  timestamptz NOT NULL,
    state kheo.job_state NOT NULL,
    jobs  bigint NOT NULL
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000);

CREATE INDEX job_hours_hour ON kheo.job_hours (hour);

COMMENT ON TABLE kheo.job_hours IS
    'kheo.job_minutes by UTC hour, written beside it by the same triggers.';

-- Adds finished jobs, by queue, minute and state, to both kheo.job_minutes and
-- kheo.job_hours (the triggers below pass what their statement finished).
CREATE FUNCTION kheo.count_finished(queues text[], minutes timestamptz[], states kheo.job_state[], jobs bigint[])
RETURNS void
LANGUAGE sql AS $$
    WITH m AS (SELECT * FROM unnest(queues, minutes, states, jobs) AS u(queue, minute, state, jobs)),
         by_minute AS (INSERT INTO kheo.job_minutes (queue, minute, state, jobs) SELECT queue, minute, state, jobs FROM m)
    INSERT INTO kheo.job_hours (queue, hour, state, jobs)
    SELECT queue, date_trunc('hour', minute, 'UTC'), state, sum(jobs) FROM m GROUP BY 1, 2, 3;
$$;

CREATE FUNCTION kheo.count_jobs_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO kheo.job_counts (queue, state, jobs)
    SELECT queue, state, count(*) FROM inserted_jobs GROUP BY queue, state;
    -- Rows written already finished (an import, a retried job's return is never one).
    PERFORM kheo.count_finished(array_agg(queue), array_agg(minute), array_agg(state), array_agg(jobs))
    FROM (SELECT queue, date_trunc('minute', finalized_at, 'UTC') AS minute, state, count(*) AS jobs
          FROM inserted_jobs WHERE state >= 'completed' AND finalized_at IS NOT NULL
          GROUP BY 1, 2, 3) AS f
    HAVING count(*) > 0;
    RETURN NULL;
END
$$;

CREATE FUNCTION kheo.count_jobs_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Most updates (a lease renewed, a claim's attempt) change neither: nothing to add.
    INSERT INTO kheo.job_counts (queue, state, jobs)
    SELECT queue, state, sum(jobs) FROM (
        SELECT queue, state, 1 AS jobs FROM updated_jobs_new
        UNION ALL
        SELECT queue, state, -1 FROM updated_jobs_old
    ) AS d
    GROUP BY queue, state HAVING sum(jobs) <> 0;
    -- A job that finishes and stays (a unique job whose final state blocks duplicates)
    -- finished this minute all the same.
    PERFORM kheo.count_finished(array_agg(queue), array_agg(minute), array_agg(state), array_agg(jobs))
    FROM (SELECT n.queue, date_trunc('minute', n.finalized_at, 'UTC') AS minute, n.state, count(*) AS jobs
          FROM updated_jobs_new AS n JOIN updated_jobs_old AS o ON o.id = n.id
          WHERE n.state >= 'completed' AND o.state < 'completed' AND n.finalized_at IS NOT NULL
          GROUP BY 1, 2, 3) AS f
    HAVING count(*) > 0;
    RETURN NULL;
END
$$;

CREATE FUNCTION kheo.count_jobs_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO kheo.job_counts (queue, state, jobs)
    SELECT queue, state, -count(*) FROM deleted_jobs GROUP BY queue, state;
    RETURN NULL;
END
$$;

-- Jobs arriving in the history finished in the statement that moved them, except
-- those the archiver brings over (HistoryArchiver sets kheo.archiving): they finished
-- earlier, in kheo.jobs, and were counted then.
CREATE FUNCTION kheo.count_jobs_finished() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('kheo.archiving', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM kheo.count_finished(array_agg(queue), array_agg(minute), array_agg(state), array_agg(jobs))
    FROM (SELECT queue, date_trunc('minute', finalized_at, 'UTC') AS minute, state, count(*) AS jobs
          FROM finished_jobs GROUP BY 1, 2, 3) AS f
    HAVING count(*) > 0;
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_count_inserted AFTER INSERT ON kheo.jobs
    REFERENCING NEW TABLE AS inserted_jobs FOR EACH STATEMENT EXECUTE FUNCTION kheo.count_jobs_inserted();
CREATE TRIGGER jobs_count_updated AFTER UPDATE ON kheo.jobs
    REFERENCING OLD TABLE AS updated_jobs_old NEW TABLE AS updated_jobs_new
    FOR EACH STATEMENT EXECUTE FUNCTION kheo.count_jobs_updated();
CREATE TRIGGER jobs_count_deleted AFTER DELETE ON kheo.jobs
    REFERENCING OLD TABLE AS deleted_jobs FOR EACH STATEMENT EXECUTE FUNCTION kheo.count_jobs_deleted();
CREATE TRIGGER job_history_count_finished AFTER INSERT ON kheo.job_history
    REFERENCING NEW TABLE AS finished_jobs FOR EACH STATEMENT EXECUTE FUNCTION kheo.count_jobs_finished();

-- What is there now, counted once, under the lock the triggers' creation took: no
-- write can slip between the count and the first trigger.
INSERT INTO kheo.job_counts (queue, state, jobs)
SELECT queue, state, count(*) FROM kheo.jobs GROUP BY queue, state;

SELECT kheo.count_finished(array_agg(queue), array_agg(minute), array_agg(state), array_agg(jobs))
FROM (SELECT queue, date_trunc('minute', finalized_at, 'UTC') AS minute, state, count(*) AS jobs
      FROM kheo.all_jobs WHERE finalized_at IS NOT NULL AND state IN ('completed', 'cancelled', 'discarded')
      GROUP BY 1, 2, 3) AS f
HAVING count(*) > 0;
