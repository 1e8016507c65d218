-- Units over time. Until 30/06/2025 local government had three tiers (province →
-- district → commune); since 01/07/2025 it has two: communes, wards and special zones
-- sit directly under the province, districts are gone, communes and provinces were
-- merged. The movement's records span both, so every unit has the days it stood, its
-- names and parents have dates, and a unit that ended names its successor: figures of
-- a past period read as they did then, and figures after a merger land on the unit
-- that carries on.

-- The first day of the two-tier system (Resolution 202/2025/QH15 and the laws on local
-- government of 16/6/2025).
CREATE FUNCTION danvan.two_tier_since() RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT date '2025-07-01' $$;

-- The days a unit stood: from `valid_from` (-infinity: as far back as the records go)
-- up to, not including, `valid_until` (NULL while it stands). A unit merged into
-- another, or dissolved with its work handed on, names that unit as its successor.
ALTER TABLE danvan.units
    ADD COLUMN valid_from date NOT NULL DEFAULT '-infinity',
    ADD COLUMN valid_until date,
    ADD COLUMN successor_id bigint REFERENCES danvan.units (id),
    ADD CONSTRAINT units_valid_span CHECK (valid_until IS NULL OR valid_until > valid_from),
    ADD CONSTRAINT units_successor_after_end CHECK (successor_id IS NULL OR valid_until IS NOT NULL),
    ADD CONSTRAINT units_not_own_successor CHECK (successor_id <> id);

-- Sibling names are unique among the units standing today: a merged commune's name
-- may pass to its successor.
DROP INDEX danvan.units_sibling_names;
CREATE UNIQUE INDEX units_sibling_names ON danvan.units (coalesce(parent_id, 0), kind, lower(name)) WHERE valid_until IS NULL;

-- Every parent a unit had, with the days it sat there. No two links of a unit
-- overlap. `danvan.units.parent_id` and `path` are the latest link's: today's tree,
-- which scopes who may act on what.
CREATE TABLE danvan.unit_links (
    unit_id     bigint NOT NULL REFERENCES danvan.units (id),
    parent_id   bigint NOT NULL REFERENCES danvan.units (id),
    valid_from  date NOT NULL,
    valid_until date,
    PRIMARY KEY (unit_id, valid_from),
    CHECK (valid_until IS NULL OR valid_until > valid_from),
    CONSTRAINT unit_links_no_overlap EXCLUDE USING gist (
        int8range(unit_id, unit_id, '[]') WITH =, daterange(valid_from, valid_until) WITH &&
    )
);
CREATE INDEX unit_links_parent ON danvan.unit_links (parent_id, valid_from);
INSERT INTO danvan.unit_links (unit_id, parent_id, valid_from)
SELECT id, parent_id, '-infinity' FROM danvan.units WHERE parent_id IS NOT NULL;

-- Every name a unit had, from the day it took it. `danvan.units.name` is the latest.
CREATE TABLE danvan.unit_names (
    unit_id    bigint NOT NULL REFERENCES danvan.units (id),
    valid_from date NOT NULL,
    name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 300 AND name = normalize(name, NFC)),
    PRIMARY KEY (unit_id, valid_from)
);
INSERT INTO danvan.unit_names (unit_id, valid_from, name) SELECT id, '-infinity', name FROM danvan.units;

-- What was done to the tree, when it took effect and by which decision ("Nghị quyết
-- số 1687/NQ-UBTVQH15"), in the order it was recorded.
CREATE TYPE danvan.unit_change AS ENUM ('created', 'renamed', 'moved', 'merged', 'dissolved');

CREATE TABLE danvan.unit_changes (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id      bigint NOT NULL REFERENCES danvan.units (id),
    change       danvan.unit_change NOT NULL,
    effective_on date NOT NULL,
    from_parent  bigint REFERENCES danvan.units (id),
    to_parent    bigint REFERENCES danvan.units (id),
    successor_id bigint REFERENCES danvan.units (id),
    old_name     text,
    new_name     text,
    decision     text NOT NULL DEFAULT '' CHECK (char_length(decision) <= 300 AND decision = normalize(decision, NFC)),
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX unit_changes_unit ON danvan.unit_changes (unit_id, id);
INSERT INTO danvan.unit_changes (unit_id, change, effective_on, to_parent, new_name, recorded_at)
SELECT id, 'created', '-infinity', parent_id, name, created_at FROM danvan.units ORDER BY id;

-- Which kind may sit under which, on the day the link starts. Before the two-tier
-- system: province → district → commune → hamlet. From it: province → commune →
-- hamlet, and no district link may start. Organisations attach to a province,
-- district or commune (a party branch also to a hamlet or a party committee).
DROP FUNCTION danvan.unit_parent_allowed(danvan.unit_kind, danvan.unit_kind);
CREATE FUNCTION danvan.unit_parent_allowed(parent danvan.unit_kind, child danvan.unit_kind, starting date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE child
        WHEN 'province' THEN false
        WHEN 'district' THEN parent = 'province' AND starting < danvan.two_tier_since()
        WHEN 'commune' THEN (parent = 'district' AND starting < danvan.two_tier_since())
                         OR (parent = 'province' AND starting >= danvan.two_tier_since())
        WHEN 'hamlet' THEN parent = 'commune'
        WHEN 'party_branch' THEN parent IN ('commune', 'hamlet', 'party_committee')
        ELSE parent IN ('province', 'district', 'commune')
    END
$$;

-- Keeps a unit's row, its links and its names in step. On insert: checks the parent
-- (its kind on the day, and that it stands then), fills the path, opens the first link
-- and the first name. On update: a unit never changes kind; a new parent must have
-- been linked first and a new name dated first (see `UnitChanges`), and the path
-- follows the parent.
DROP TRIGGER units_set_path ON danvan.units;
DROP FUNCTION danvan.units_set_path();
CREATE FUNCTION danvan.units_keep_history() RETURNS trigger
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

CREATE TRIGGER units_keep_history BEFORE INSERT OR UPDATE OF parent_id, kind, path, name ON danvan.units
    FOR EACH ROW EXECUTE FUNCTION danvan.units_keep_history();

-- After an insert, the first link and name and the change that created it; after a move, the children's paths follow
-- (each child's own trigger recomputes its path from its parent's).
CREATE FUNCTION danvan.units_after_change() RETURNS trigger
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

CREATE TRIGGER units_after_change AFTER INSERT OR UPDATE OF parent_id, path ON danvan.units
    FOR EACH ROW EXECUTE FUNCTION danvan.units_after_change();

-- The name a unit bore on a day (its first name before it stood).
CREATE FUNCTION danvan.unit_name_on(unit bigint, day date) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        (SELECT n.name FROM danvan.unit_names AS n WHERE n.unit_id = unit AND n.valid_from <= day ORDER BY n.valid_from DESC LIMIT 1),
        (SELECT n.name FROM danvan.unit_names AS n WHERE n.unit_id = unit ORDER BY n.valid_from LIMIT 1)
    )
$$;

-- Where each unit's records count on `day`, and for which units above: every unit
-- lands on itself while it stands; a unit that ended lands where its successor lands,
-- or, with none, where its last parent lands. From there its records count for that
-- unit and each unit above it in the tree standing that day (or on the landing unit's
-- own first or last day, when it does not stand on `day`). A unit's records thus count
-- for each unit at most once, and only in one tree per day: a province's total is the
-- sum over the units under it that day.
CREATE FUNCTION danvan.unit_lineage(day date) RETURNS TABLE (unit_id bigint, counts_for bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH RECURSIVE walk (unit_id, at, hops) AS (
        SELECT u.id, u.id, 0 FROM danvan.units AS u
      UNION ALL
        SELECT w.unit_id, coalesce(u.successor_id, l.parent_id), w.hops + 1
        FROM walk AS w
        JOIN danvan.units AS u ON u.id = w.at
        LEFT JOIN danvan.unit_links AS l ON l.unit_id = u.id AND l.valid_until = u.valid_until
        WHERE u.valid_until <= day AND coalesce(u.successor_id, l.parent_id) IS NOT NULL AND w.hops < 64
    ), landing AS (
        SELECT DISTINCT ON (w.unit_id) w.unit_id, w.at AS lands_on,
               least(greatest(day, u.valid_from), coalesce(u.valid_until - 1, day)) AS seen_on
        FROM walk AS w JOIN danvan.units AS u ON u.id = w.at
        ORDER BY w.unit_id, w.hops DESC
    ), climb (unit_id, ancestor, seen_on) AS (
        SELECT l.unit_id, l.lands_on, l.seen_on FROM landing AS l
      UNION ALL
        SELECT c.unit_id, k.parent_id, c.seen_on
        FROM climb AS c
        JOIN danvan.unit_links AS k ON k.unit_id = c.ancestor AND k.valid_from <= c.seen_on
             AND (k.valid_until IS NULL OR k.valid_until > c.seen_on)
    )
    SELECT c.unit_id, c.ancestor FROM climb AS c
$$;

-- The units standing directly under `unit` on `day`.
CREATE FUNCTION danvan.unit_children_on(unit bigint, day date) RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT l.unit_id FROM danvan.unit_links AS l
    WHERE l.parent_id = unit AND l.valid_from <= day AND (l.valid_until IS NULL OR l.valid_until > day)
$$;

-- The lineage of each day the statistics are cut on, kept until the tree changes: the
-- nightly regeneration reads it instead of walking the tree for every period. Any
-- change to who stands where bumps the version (statement by statement, holding the
-- row until commit); a regeneration reads the version FOR SHARE, so no change can
-- commit while it fills or reads the cache for that version.
CREATE TABLE danvan.unit_tree_version (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    version  bigint NOT NULL
);
INSERT INTO danvan.unit_tree_version (version) VALUES (1);

CREATE FUNCTION danvan.unit_tree_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE danvan.unit_tree_version SET version = version + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER units_tree_changed AFTER INSERT OR DELETE OR UPDATE OF parent_id, valid_from, valid_until, successor_id ON danvan.units
    FOR EACH STATEMENT EXECUTE FUNCTION danvan.unit_tree_changed();
CREATE TRIGGER unit_links_tree_changed AFTER INSERT OR UPDATE OR DELETE ON danvan.unit_links
    FOR EACH STATEMENT EXECUTE FUNCTION danvan.unit_tree_changed();

CREATE TABLE danvan.unit_lineage_cache (
    version    bigint NOT NULL,
    as_of      date NOT NULL,
    unit_id    bigint NOT NULL,
    counts_for bigint NOT NULL,
    PRIMARY KEY (version, as_of, unit_id, counts_for)
);
