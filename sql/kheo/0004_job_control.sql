-- Job control for operators: cancel, retry now, pause and resume a queue. Each
-- function takes ids or a name, changes only what makes sense in the job's current
-- state, and reports per job what it did, so a CLI or an API can say so.

ALTER TABLE kheo.jobs ADD COLUMN cancel_requested_at timestamptz;

COMMENT ON COLUMN kheo.jobs.cancel_requested_at IS
    'Set when an operator cancels a running job: its worker tells the handler to stop and records it cancelled.';

-- Cancels jobs. A job waiting to run (scheduled, available, retryable) is cancelled
-- at once. A running job is marked and its worker is told on the kheo_control
-- channel: the handler sees JobContext.stopReason == .cancelled, and when it returns
-- without completing, the job ends cancelled. Finished jobs are left alone.
-- outcome: 'cancelled', 'cancel_requested', 'already_finished' or 'not_found'.
CREATE FUNCTION kheo.cancel_jobs(ids bigint[], reason text DEFAULT 'cancelled by an operator')
RETURNS TABLE (id bigint, previous_state kheo.job_state, outcome text)
LANGUAGE plpgsql AS $$
DECLARE
    job record;
BEGIN
    FOR job IN
        SELECT wanted.id AS wanted_id, j.id, j.state, j.attempt
        FROM unnest(ids) WITH ORDINALITY AS wanted(id, position)
        LEFT JOIN kheo.jobs AS j ON j.id = wanted.id
        ORDER BY wanted.position
    LOOP
        id := job.wanted_id;
        previous_state := job.state;
        IF job.id IS NULL THEN
            outcome := 'not_found';
        ELSIF job.state IN ('scheduled', 'available', 'retryable') THEN
            UPDATE kheo.jobs AS j SET state = 'cancelled', finalized_at = now(), cancel_requested_at = now(),
                errors = j.errors || jsonb_build_array(jsonb_build_object(
                    'attempt', j.attempt, 'at', now(), 'type', 'cancelled', 'error', reason))
            WHERE j.id = job.id AND j.state IN ('scheduled', 'available', 'retryable');
            outcome := CASE WHEN FOUND THEN 'cancelled' ELSE 'changed_meanwhile' END;
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

-- Makes jobs available to run now. A discarded, cancelled, retryable or scheduled job
-- runs again at once; one that had used all its attempts gets one more. Running,
-- available and completed jobs are left alone. A unique job whose duplicate is
-- already waiting is left alone too (outcome 'duplicate_pending').
-- outcome: 'retried', 'already_available', 'running', 'completed', 'duplicate_pending' or 'not_found'.
CREATE FUNCTION kheo.retry_jobs(ids bigint[])
RETURNS TABLE (id bigint, previous_state kheo.job_state, outcome text)
LANGUAGE plpgsql AS $$
DECLARE
    job record;
BEGIN
    FOR job IN
        SELECT wanted.id AS wanted_id, j.id, j.state, j.queue
        FROM unnest(ids) WITH ORDINALITY AS wanted(id, position)
        LEFT JOIN kheo.jobs AS j ON j.id = wanted.id
        ORDER BY wanted.position
    LOOP
        id := job.wanted_id;
        previous_state := job.state;
        IF job.id IS NULL THEN
            outcome := 'not_found';
        ELSIF job.state IN ('discarded', 'cancelled', 'retryable', 'scheduled') THEN
            BEGIN
                UPDATE kheo.jobs AS j SET state = 'available', scheduled_at = now(), finalized_at = NULL,
                    cancel_requested_at = NULL, max_attempts = greatest(j.max_attempts, j.attempt + 1)
                WHERE j.id = job.id AND j.state = job.state;
                outcome := CASE WHEN FOUND THEN 'retried' ELSE 'changed_meanwhile' END;
                IF FOUND THEN PERFORM pg_notify('kheo_jobs', job.queue); END IF;
            EXCEPTION WHEN unique_violation THEN
                outcome := 'duplicate_pending';
            END;
        ELSIF job.state = 'available' THEN
            outcome := 'already_available';
        ELSE
            outcome := job.state::text;
        END IF;
        RETURN NEXT;
    END LOOP;
END
$$;

-- Pauses a queue: workers stop claiming from it within a second (the claim statement
-- reads this table), running jobs finish. Returns false for a queue no worker has
-- served and no job names.
CREATE FUNCTION kheo.pause_queue(name text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM kheo.queues AS q WHERE q.name = pause_queue.name)
       AND NOT EXISTS (SELECT 1 FROM kheo.jobs AS j WHERE j.queue = pause_queue.name) THEN
        RETURN false;
    END IF;
    INSERT INTO kheo.queues AS q (name, paused_at) VALUES (pause_queue.name, now())
    ON CONFLICT ON CONSTRAINT queues_pkey
    DO UPDATE SET paused_at = coalesce(q.paused_at, now()), updated_at = now();
    RETURN true;
END
$$;

-- Resumes a paused queue and wakes its workers. Returns false for an unknown queue.
CREATE FUNCTION kheo.resume_queue(name text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE kheo.queues AS q SET paused_at = NULL, updated_at = now() WHERE q.name = resume_queue.name;
    IF NOT FOUND THEN
        RETURN EXISTS (SELECT 1 FROM kheo.jobs AS j WHERE j.queue = resume_queue.name);
    END IF;
    PERFORM pg_notify('kheo_jobs', resume_queue.name);
    RETURN true;
END
$$;

-- Rescue honours cancellation: a job cancelled while it ran, whose worker then died,
-- ends cancelled instead of running again.
CREATE OR REPLACE FUNCTION kheo.rescue_expired_jobs(max_jobs integer DEFAULT 1000) RETURNS integer
LANGUAGE plpgsql AS $$
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
        FROM expired WHERE j.id = expired.id
        RETURNING j.queue, j.state
    )
    SELECT count(*), coalesce(array_agg(DISTINCT queue) FILTER (WHERE state = 'available'), '{}')
        INTO rescued, woken FROM moved;
    PERFORM pg_notify('kheo_jobs', q) FROM unnest(woken) AS q;
    RETURN rescued;
END
$$;
