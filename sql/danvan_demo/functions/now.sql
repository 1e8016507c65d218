-- Applied again whenever this file changes (CREATE OR REPLACE): edit it in place.
--
-- The domain's clock where the demo line is migrated: the simulated instant while
-- danvan.simulated_clock holds one, else the real time. danvan.today() and every rule
-- about deadlines read it. (Production's definition is in sql/danvan/0024.)
CREATE OR REPLACE FUNCTION danvan.now() RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT c.now FROM danvan.simulated_clock AS c), now())
$$;
