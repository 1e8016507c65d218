-- Pruning of finished jobs, and a lease-based leader for work that one node at a time
-- should do (pruning). Any number of nodes can ask; the row says who leads until when.

-- Finished jobs by state and age, so pruning reads only what it deletes. Partial:
-- jobs waiting or running are never in it.
CREATE INDEX jobs_finalized ON kheo.jobs (state, finalized_at) WHERE finalized_at IS NOT NULL;

CREATE TABLE kheo.leaders (
    name       text PRIMARY KEY,
    node       uuid NOT NULL,
    elected_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
) WITH (fillfactor = 50);

COMMENT ON TABLE kheo.leaders IS 'Who does a one-node-at-a-time task (e.g. pruning) and until when; renewed by the leader.';

-- Takes or keeps the leadership of `name` for `ttl`. True when `node` leads: it did
-- already, or the previous leader's term expired (it stopped, froze or died).
CREATE FUNCTION kheo.claim_leadership(name text, node uuid, ttl interval) RETURNS boolean
LANGUAGE sql AS $$
    INSERT INTO kheo.leaders AS l (name, node, expires_at) VALUES (claim_leadership.name, claim_leadership.node, now() + ttl)
    ON CONFLICT ON CONSTRAINT leaders_pkey DO UPDATE
        SET node = excluded.node,
            elected_at = CASE WHEN l.node = excluded.node THEN l.elected_at ELSE now() END,
            expires_at = excluded.expires_at
        WHERE l.node = excluded.node OR l.expires_at < now()
    RETURNING true
$$;

-- Gives up a leadership at once (a node that stops), so another node takes over
-- without waiting for the term to end.
CREATE FUNCTION kheo.resign_leadership(name text, node uuid) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM kheo.leaders AS l WHERE l.name = resign_leadership.name AND l.node = resign_leadership.node
$$;

-- Deletes at most max_jobs jobs of one finished state that finished before
-- now() - older_than, oldest first; returns how many. Small batches, SKIP LOCKED:
-- it never waits on a row and holds its locks for one short statement. (ANY(ARRAY(…))
-- keeps the delete on primary-key lookups whatever the planner guesses of the batch.)
CREATE FUNCTION kheo.prune_jobs(state kheo.job_state, older_than interval, max_jobs integer DEFAULT 1000)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    deleted integer;
BEGIN
    IF prune_jobs.state NOT IN ('completed', 'cancelled', 'discarded') THEN
        RAISE EXCEPTION 'only finished jobs are pruned, not %', prune_jobs.state
            USING ERRCODE = '22023', HINT = 'Prune completed, cancelled or discarded jobs.';
    END IF;
    DELETE FROM kheo.jobs AS j
    WHERE j.id = ANY (ARRAY(
        SELECT old.id FROM kheo.jobs AS old
        WHERE old.state = prune_jobs.state AND old.finalized_at IS NOT NULL
          AND old.finalized_at < now() - older_than
        ORDER BY old.finalized_at
        LIMIT max_jobs
        FOR UPDATE SKIP LOCKED
    ));
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END
$$;
