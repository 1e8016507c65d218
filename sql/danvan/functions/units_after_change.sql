-- Applied again by kheo migrate whenever this file changes (CREATE OR REPLACE): edit
-- it in place. Its first definition is in sql/danvan/0013_danvan_units_over_time.sql.
--
-- After an insert, the first link and name and the change that created it; after a move, the children's paths follow
-- (each child's own trigger recomputes its path from its parent's).
CREATE OR REPLACE FUNCTION danvan.units_after_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.parent_id IS NOT NULL THEN
            INSERT INTO danvan.unit_links (unit_id, parent_id, valid_from) VALUES (NEW.id, NEW.parent_id, NEW.valid_from);
        END IF;
        INSERT INTO danvan.unit_names (unit_id, valid_from, name) VALUES (NEW.id, NEW.valid_from, NEW.name);
        INSERT INTO danvan.unit_changes (unit_id, change, effective_on, to_parent, new_name)
        VALUES (NEW.id, 'created', NEW.valid_from, NEW.parent_id, NEW.name);
    ELSIF NEW.path IS DISTINCT FROM OLD.path THEN
        UPDATE danvan.units SET path = path WHERE parent_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;
