-- Applied again by kheo migrate whenever this file changes (CREATE OR REPLACE): edit
-- it in place. Its first definition is in sql/danvan/0003_danvan_deadlines.sql.
--
-- Today on Vietnam's wall clock, by the domain's clock.
CREATE OR REPLACE FUNCTION danvan.today() RETURNS date
LANGUAGE sql STABLE AS $$
    SELECT (danvan.now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
$$;
