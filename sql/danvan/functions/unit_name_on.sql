-- Applied again by kheo migrate whenever this file changes (CREATE OR REPLACE): edit
-- it in place. Its first definition is in sql/danvan/0013_danvan_units_over_time.sql.
--
-- The name a unit bore on a day (its first name before it stood).
CREATE OR REPLACE FUNCTION danvan.unit_name_on(unit bigint, day date) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        (SELECT n.name FROM danvan.unit_names AS n WHERE n.unit_id = unit AND n.valid_from <= day ORDER BY n.valid_from DESC LIMIT 1),
        (SELECT n.name FROM danvan.unit_names AS n WHERE n.unit_id = unit ORDER BY n.valid_from LIMIT 1)
    )
$$;
