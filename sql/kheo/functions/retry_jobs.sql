-- Makes jobs available to run now. A discarded, cancelled, retryable or scheduled job
-- runs again at once; one that had used all its attempts gets one more. A finished
-- job comes back from kheo.job_history into kheo.jobs, keeping its id, attempts and
-- errors. Running, available and completed jobs are left alone. A unique job whose
-- duplicate is already waiting is left alone too (outcome 'duplicate_pending').
-- outcome: 'retried', 'already_available', 'running', 'completed',
-- 'duplicate_pending', 'changed_meanwhile' or 'not_found'.
--
-- Applied again by kheo migrate whenever this file changes (CREATE OR REPLACE). Its
-- first definition is in sql/kheo/0004_job_control.sql.
CREATE OR REPLACE FUNCTION kheo.retry_jobs(ids bigint[])
RETURNS TABLE (id bigint, previous_state kheo.job_state, outcome text)
LANGUAGE plpgsql AS $$
DECLARE
    job record;
    changed bigint;
BEGIN
    FOR job IN
        SELECT wanted.id AS wanted_id, j.id, j.state, j.queue
        FROM unnest(ids) WITH ORDINALITY AS wanted(id, position)
        LEFT JOIN kheo.all_jobs AS j ON j.id = wanted.id
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
                GET DIAGNOSTICS changed = ROW_COUNT;
                IF changed = 0 AND job.state IN ('discarded', 'cancelled') THEN
                    WITH moved AS (
                        DELETE FROM kheo.job_history AS h WHERE h.id = job.id AND h.state = job.state RETURNING h.*
                    )
                    INSERT INTO kheo.jobs (
                        id, queue, kind, args, priority, state, attempt, max_attempts, scheduled_at, inserted_at,
                        attempted_at, finalized_at, attempted_by, lease_owner, lease_expires_at, errors, tags, metadata,
                        unique_key, unique_states, cancel_requested_at, partition_key)
                    SELECT m.id, m.queue, m.kind, m.args, m.priority, 'available', m.attempt,
                           greatest(m.max_attempts, m.attempt + 1), now(), m.inserted_at, m.attempted_at, NULL,
                           m.attempted_by, NULL, NULL, m.errors, m.tags, m.metadata, m.unique_key, m.unique_states, NULL,
                           m.partition_key
                    FROM moved AS m;
                    GET DIAGNOSTICS changed = ROW_COUNT;
                END IF;
                outcome := CASE WHEN changed > 0 THEN 'retried' ELSE 'changed_meanwhile' END;
                IF changed > 0 THEN PERFORM pg_notify('kheo_jobs', job.queue); END IF;
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
