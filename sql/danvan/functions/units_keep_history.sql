-- Applied again by kheo migrate whenever this file changes (CREATE OR REPLACE): edit
-- it in place. Its first definition is in sql/danvan/0013_danvan_units_over_time.sql.
CREATE OR REPLACE FUNCTION danvan.units_keep_history() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    parent record;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.kind <> OLD.kind THEN
        RAISE EXCEPTION 'unit % cannot change its kind', OLD.id
            USING ERRCODE = '22023', HINT = 'Dissolve it and create the unit anew, naming it as the successor.';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.name <> OLD.name AND NEW.name IS DISTINCT FROM (
        SELECT n.name FROM danvan.unit_names AS n WHERE n.unit_id = NEW.id ORDER BY n.valid_from DESC LIMIT 1
    ) THEN
        RAISE EXCEPTION 'unit % has no dated record of the name %', NEW.id, NEW.name
            USING ERRCODE = '22023', HINT = 'Rename a unit with UnitChanges.rename, which dates the new name.';
    END IF;
    IF NEW.parent_id IS NULL THEN
        IF NEW.kind <> 'province' THEN
            RAISE EXCEPTION 'a % needs a parent unit', NEW.kind USING ERRCODE = '22023';
        END IF;
        NEW.path := ARRAY[NEW.id];
        RETURN NEW;
    END IF;
    SELECT u.kind, u.path, u.valid_from, u.valid_until INTO parent FROM danvan.units AS u WHERE u.id = NEW.parent_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unit % does not exist', NEW.parent_id USING ERRCODE = '23503';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NOT danvan.unit_parent_allowed(parent.kind, NEW.kind, NEW.valid_from) THEN
            RAISE EXCEPTION 'a % cannot be placed under a % from %', NEW.kind, parent.kind, NEW.valid_from
                USING ERRCODE = '22023',
                      HINT = 'Until 30/06/2025: province → district → commune → hamlet; from 01/07/2025: province → commune → hamlet.';
        END IF;
        IF parent.valid_from > NEW.valid_from OR parent.valid_until <= NEW.valid_from THEN
            RAISE EXCEPTION 'unit % does not stand on %', NEW.parent_id, NEW.valid_from USING ERRCODE = '22023';
        END IF;
    ELSIF NEW.parent_id IS DISTINCT FROM OLD.parent_id AND NOT EXISTS (
        SELECT 1 FROM danvan.unit_links AS l WHERE l.unit_id = NEW.id AND l.parent_id = NEW.parent_id AND l.valid_until IS NULL
    ) THEN
        RAISE EXCEPTION 'unit % has no open link to unit %', NEW.id, NEW.parent_id
            USING ERRCODE = '22023', HINT = 'Move a unit with UnitChanges.move, which dates the move.';
    END IF;
    NEW.path := parent.path || NEW.id;
    RETURN NEW;
END
$$;
