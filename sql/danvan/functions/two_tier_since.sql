-- Applied again by kheo migrate whenever this file changes (CREATE OR REPLACE): edit
-- it in place. Its first definition is in sql/danvan/0013_danvan_units_over_time.sql.
--
-- The first day of the two-tier system (Resolution 202/2025/QH15 and the laws on local
-- government of 16/6/2025).
CREATE OR REPLACE FUNCTION danvan.two_tier_since() RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT date '2025-07-01' $$;
