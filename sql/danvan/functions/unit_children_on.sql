-- Applied again by kheo migrate whenever this file changes (CREATE OR REPLACE): edit
-- it in place. Its first definition is in sql/danvan/0013_danvan_units_over_time.sql.
--
-- The units standing directly under `unit` on `day`.
CREATE OR REPLACE FUNCTION danvan.unit_children_on(unit bigint, day date) RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT l.unit_id FROM danvan.unit_links AS l
    WHERE l.parent_id = unit AND l.valid_from <= day AND (l.valid_until IS NULL OR l.valid_until > day)
$$;
