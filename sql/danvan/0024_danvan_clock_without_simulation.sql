-- The simulated clock belongs to the demo and the tests (the danvan_demo line, which
-- brings the table back with its own danvan.now()). In production the domain's clock
-- is the database's: one fewer table read on every deadline and statistics query, and
-- no row anyone could insert to move a province's deadlines.
CREATE OR REPLACE FUNCTION danvan.now() RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT now()
$$;

DROP TABLE danvan.simulated_clock;
