-- Applied again by kheo migrate whenever this file changes (CREATE OR REPLACE): edit
-- it in place. Its first definition is in sql/danvan/0013_danvan_units_over_time.sql.
CREATE OR REPLACE FUNCTION danvan.unit_tree_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE danvan.unit_tree_version SET version = version + 1;
    RETURN NULL;
END
$$;
