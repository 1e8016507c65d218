-- Cancels jobs. A job waiting to run (scheduled, available, retryable) is cancelled
-- at once, and moves to kheo.job_history in the same statement unless it is a unique
-- job that blocks duplicates when cancelled (see sql/kheo/0013_job_history.sql). A
-- running job is marked and its worker is told on the kheo_control channel: the
-- handler sees JobContext.stopReason == .cancelled, and when it returns without
-- completing, the job ends cancelled. Finished jobs are left alone.
-- outcome: 'cancelled', 'cancel_requested', 'already_finished', 'changed_meanwhile'
-- or 'not_found'.
--
-- Applied again by kheo migrate whenever this file changes (CREATE OR REPLACE). Its
-- first definition is in sql/kheo/0004_job_control.sql.
CREATE OR REPLACE FUNCTION kheo.cancel_jobs(ids bigint[], reason text DEFAULT 'cancelled by an operator')
RETURNS TABLE (id bigint, previous_state kheo.job_state, outcome text)
LANGUAGE plpgsql AS $$
DECLARE
    job record;
    changed bigint;
BEGIN
    FOR job IN
        SELECT wanted.id AS wanted_id, j.id, j.state, j.attempt
        FROM unnest(ids) WITH ORDINALITY AS wanted(id, position)
        LEFT JOIN kheo.all_jobs AS j ON j.id = wanted.id
        ORDER BY wanted.position
    LOOP
        id := job.wanted_id;
        previous_state := job.state;
        IF job.id IS NULL THEN
            outcome := 'not_found';
        ELSIF job.state IN ('scheduled', 'available', 'retryable') THEN
            WITH kept AS (
                UPDATE kheo.jobs AS j SET state = 'cancelled', finalized_at = now(), cancel_requested_at = now(),
                    errors = j.errors || jsonb_build_array(jsonb_build_object(
                        'attempt', j.attempt, 'at', now(), 'type', 'cancelled', 'error', reason))
                WHERE j.id = job.id AND j.state IN ('scheduled', 'available', 'retryable')
                  AND j.unique_key IS NOT NULL AND 'cancelled' = ANY (j.unique_states)
                RETURNING j.id
            ), moved AS (
                DELETE FROM kheo.jobs AS j
                WHERE j.id = job.id AND j.state IN ('scheduled', 'available', 'retryable')
                  AND NOT (j.unique_key IS NOT NULL AND 'cancelled' = ANY (j.unique_states))
                RETURNING j.*
            ), archived AS (
                INSERT INTO kheo.job_history (
                    id, queue, kind, args, priority, state, attempt, max_attempts, scheduled_at, inserted_at,
                    attempted_at, finalized_at, attempted_by, lease_owner, lease_expires_at, errors, tags, metadata,
                    unique_key, unique_states, cancel_requested_at)
                SELECT m.id, m.queue, m.kind, m.args, m.priority, 'cancelled', m.attempt, m.max_attempts, m.scheduled_at,
                       m.inserted_at, m.attempted_at, now(), m.attempted_by, NULL, NULL,
                       m.errors || jsonb_build_array(jsonb_build_object(
                           'attempt', m.attempt, 'at', now(), 'type', 'cancelled', 'error', reason)),
                       m.tags, m.metadata, m.unique_key, m.unique_states, now()
                FROM moved AS m
            )
            SELECT (SELECT count(*) FROM kept) + (SELECT count(*) FROM moved) INTO changed;
            outcome := CASE WHEN changed > 0 THEN 'cancelled' ELSE 'changed_meanwhile' END;
        ELSIF job.state = 'running' THEN
            UPDATE kheo.jobs AS j SET cancel_requested_at = coalesce(j.cancel_requested_at, now())
            WHERE j.id = job.id AND j.state = 'running';
            PERFORM pg_notify('kheo_control', 'cancel ' || job.id);
            outcome := 'cancel_requested';
        ELSE
            outcome := 'already_finished';
        END IF;
        RETURN NEXT;
    END LOOP;
END
$$;
