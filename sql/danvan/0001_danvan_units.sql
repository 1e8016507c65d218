-- The "Dân vận khéo" domain lives in its own schema. First, its units: the territorial
-- line (province → district → commune/ward/town → hamlet) and, beside it, the party
-- committees, Fatherland Front, mass organisations, agencies, police and steering
-- committees attached to a territorial unit.

CREATE SCHEMA danvan;

CREATE TYPE danvan.unit_kind AS ENUM (
    'province',            -- tỉnh
    'district',            -- huyện, thị xã, thành phố
    'commune',             -- xã, phường, thị trấn
    'hamlet',              -- ấp, thôn, khu phố
    'party_committee',     -- Đảng ủy
    'party_branch',        -- chi bộ
    'fatherland_front',    -- Mặt trận Tổ quốc
    'mass_organisation',   -- Hội Phụ nữ, Hội Nông dân, Đoàn Thanh niên, Hội Cựu chiến binh
    'agency',              -- e.g. Phòng Tài nguyên và Môi trường
    'police',              -- Công an xã/huyện
    'steering_committee'   -- Ban Chỉ đạo
);

CREATE TABLE danvan.units (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id  bigint REFERENCES danvan.units (id),
    kind       danvan.unit_kind NOT NULL,
    name       text NOT NULL,
    -- Ids from the root down to this unit, itself last: a subtree is `path @> ARRAY[id]`,
    -- answered by the GIN index below however deep the unit sits.
    path       bigint[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT units_name_nfc CHECK (char_length(name) BETWEEN 1 AND 300 AND name = normalize(name, NFC)),
    CONSTRAINT units_only_provinces_are_roots CHECK ((parent_id IS NULL) = (kind = 'province'))
);

COMMENT ON TABLE danvan.units IS 'Units of the movement as a tree; path holds the ids from the root to the unit.';

CREATE INDEX units_path ON danvan.units USING gin (path);
CREATE UNIQUE INDEX units_sibling_names ON danvan.units (coalesce(parent_id, 0), kind, lower(name));

-- Which kind of unit may sit under which. The territorial line is strict; the other
-- kinds attach to a province, district or commune (a party branch also to a hamlet or
-- a party committee).
CREATE FUNCTION danvan.unit_parent_allowed(parent danvan.unit_kind, child danvan.unit_kind) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE child
        WHEN 'province' THEN false
        WHEN 'district' THEN parent = 'province'
        WHEN 'commune' THEN parent = 'district'
        WHEN 'hamlet' THEN parent = 'commune'
        WHEN 'party_branch' THEN parent IN ('commune', 'hamlet', 'party_committee')
        ELSE parent IN ('province', 'district', 'commune')
    END
$$;

-- Fills the path from the parent's and checks the parent's kind. A unit cannot move
-- to another parent: its history (models, visits, figures) belongs where it was.
CREATE FUNCTION danvan.units_set_path() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    parent record;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.parent_id IS DISTINCT FROM OLD.parent_id OR NEW.kind <> OLD.kind THEN
            RAISE EXCEPTION 'unit % cannot change its parent or kind', OLD.id
                USING ERRCODE = '22023', HINT = 'Create the unit anew under its new parent.';
        END IF;
        NEW.path := OLD.path;
        RETURN NEW;
    END IF;
    IF NEW.parent_id IS NULL THEN
        NEW.path := ARRAY[NEW.id];
        RETURN NEW;
    END IF;
    SELECT u.kind, u.path INTO parent FROM danvan.units AS u WHERE u.id = NEW.parent_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unit % does not exist', NEW.parent_id USING ERRCODE = '23503';
    END IF;
    IF NOT danvan.unit_parent_allowed(parent.kind, NEW.kind) THEN
        RAISE EXCEPTION 'a % cannot be placed under a %', NEW.kind, parent.kind
            USING ERRCODE = '22023', HINT = 'province → district → commune → hamlet; organisations attach to a province, district or commune.';
    END IF;
    NEW.path := parent.path || NEW.id;
    RETURN NEW;
END
$$;

CREATE TRIGGER units_set_path BEFORE INSERT OR UPDATE ON danvan.units
    FOR EACH ROW EXECUTE FUNCTION danvan.units_set_path();
