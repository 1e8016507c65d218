-- Finished jobs leave the table the claims read. kheo.jobs keeps what is still to
-- run (scheduled, available, running, retryable) and the few finished jobs that
-- still block a duplicate (a unique job whose final state is one of its unique
-- states, so that the one unique index keeps guarding it). Every other finished job
-- moves to kheo.job_history in the statement that finishes it: the worker's round
-- trip, a handler's own completion, a rescue, a cancel.
--
-- History is partitioned by final state, then by UTC day of finalized_at. Retention
-- drops whole day partitions (HistoryPartitions, leader-only), so it leaves no dead
-- rows and no VACUUM debt behind, however many jobs it forgets; a reader holding an
-- old snapshot costs the claims nothing either, because the rows it keeps alive are
-- not in the relation the claims read. The default partitions catch a day nobody
-- created ahead (no leader for days); the pruner empties them with batched deletes.
--
-- Existing databases migrate in place: this migration only creates the history.
-- The finished jobs already in kheo.jobs move over in batches of a few thousand per
-- round (HistoryArchiver), never in one long transaction.
--
-- Readers that want every job, wherever it lives, read the view kheo.all_jobs.

CREATE TABLE kheo.job_history (LIKE kheo.jobs INCLUDING DEFAULTS)
    PARTITION BY LIST (state);

ALTER TABLE kheo.job_history
    ADD CONSTRAINT job_history_finished CHECK (state IN ('completed', 'cancelled', 'discarded')),
    ADD CONSTRAINT job_history_finalized CHECK (finalized_at IS NOT NULL);

COMMENT ON TABLE kheo.job_history IS
    'Finished jobs, moved out of kheo.jobs as they finish; partitioned by state, then by UTC day of finalized_at. Retention drops whole partitions.';

CREATE TABLE kheo.job_history_completed PARTITION OF kheo.job_history FOR VALUES IN ('completed')
    PARTITION BY RANGE (finalized_at);
CREATE TABLE kheo.job_history_cancelled PARTITION OF kheo.job_history FOR VALUES IN ('cancelled')
    PARTITION BY RANGE (finalized_at);
CREATE TABLE kheo.job_history_discarded PARTITION OF kheo.job_history FOR VALUES IN ('discarded')
    PARTITION BY RANGE (finalized_at);

CREATE TABLE kheo.job_history_completed_default PARTITION OF kheo.job_history_completed DEFAULT;
CREATE TABLE kheo.job_history_cancelled_default PARTITION OF kheo.job_history_cancelled DEFAULT;
CREATE TABLE kheo.job_history_discarded_default PARTITION OF kheo.job_history_discarded DEFAULT;

-- Look-ups by id (GET /v1/jobs/{id}, kheo jobs show, retry) and pages newest first.
CREATE INDEX job_history_id ON kheo.job_history (id);
-- Throughput per minute and retention of the default partitions.
CREATE INDEX job_history_finalized ON kheo.job_history (finalized_at);
-- kheo jobs list --tag.
CREATE INDEX job_history_tagged ON kheo.job_history USING gin (tags) WHERE cardinality(tags) > 0;

-- Today's and the next two days' partitions, so that the first finished jobs after
-- the upgrade land in a day partition; the leader keeps creating them ahead.
DO $$
DECLARE
    state text;
    day date;
BEGIN
    FOREACH state IN ARRAY ARRAY['completed', 'cancelled', 'discarded'] LOOP
        FOR offset_days IN 0..2 LOOP
            day := (now() AT TIME ZONE 'UTC')::date + offset_days;
            EXECUTE format(
                'CREATE TABLE kheo.%I PARTITION OF kheo.%I FOR VALUES FROM (%L) TO (%L)',
                format('job_history_%s_p%s', state, to_char(day, 'YYYYMMDD')),
                'job_history_' || state,
                (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
        END LOOP;
    END LOOP;
END
$$;

CREATE VIEW kheo.all_jobs AS
    SELECT * FROM kheo.jobs
    UNION ALL
    SELECT * FROM kheo.job_history;

COMMENT ON VIEW kheo.all_jobs IS
    'Every job, still to run (kheo.jobs) or finished (kheo.job_history). A job is in exactly one of them in any snapshot.';
