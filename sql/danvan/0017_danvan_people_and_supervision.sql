-- The people who run the movement, and supervision beside inspection.

-- Members of a body: a steering committee (Bình Sa's had 21), a Ban Dân vận, a
-- delegation's home unit. A member holds a position ("Phó Trưởng Ban Dân vận Huyện
-- ủy") for the days they serve.
CREATE TABLE danvan.members (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id     bigint NOT NULL REFERENCES danvan.units (id),
    full_name   text NOT NULL CHECK (char_length(full_name) BETWEEN 1 AND 200 AND full_name = normalize(full_name, NFC)),
    position    text NOT NULL DEFAULT '' CHECK (char_length(position) <= 200 AND position = normalize(position, NFC)),
    valid_from  date NOT NULL,
    valid_until date,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_until IS NULL OR valid_until > valid_from)
);
CREATE INDEX members_unit ON danvan.members (unit_id, full_name);

-- "Phân công thành viên Ban Chỉ đạo theo dõi mô hình": who follows each model, from
-- when. A model has at most one follower at a time; a new assignment ends the last.
CREATE TABLE danvan.model_followers (
    model_id    bigint NOT NULL REFERENCES danvan.models (id),
    member_id   bigint NOT NULL REFERENCES danvan.members (id),
    assigned_on date NOT NULL,
    ended_on    date,
    PRIMARY KEY (model_id, assigned_on),
    CHECK (ended_on IS NULL OR ended_on >= assigned_on)
);
CREATE UNIQUE INDEX model_followers_current ON danvan.model_followers (model_id) WHERE ended_on IS NULL;
CREATE INDEX model_followers_member ON danvan.model_followers (member_id) WHERE ended_on IS NULL;

-- The head of a delegation and the position they hold: every notice names both.
ALTER TABLE danvan.delegations
    ADD COLUMN leader_position text NOT NULL DEFAULT '' CHECK (char_length(leader_position) <= 200 AND leader_position = normalize(leader_position, NFC));

-- Inspections (kiểm tra) and supervisions (giám sát) of party organisations and party
-- members, as the Ban Dân vận reports them: "14 cuộc kiểm tra, giám sát đối với 18 tổ
-- chức đảng và 11 đảng viên". Each is held by a unit on a day; its subjects are
-- organisations (units) and party members (by name).
CREATE TYPE danvan.oversight_kind AS ENUM ('inspection', 'supervision');

CREATE TABLE danvan.oversights (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id    bigint NOT NULL REFERENCES danvan.units (id),
    kind       danvan.oversight_kind NOT NULL,
    held_on    date NOT NULL,
    title      text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 500 AND title = normalize(title, NFC)),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oversights_unit ON danvan.oversights (unit_id, held_on);

CREATE TABLE danvan.oversight_organisations (
    oversight_id bigint NOT NULL REFERENCES danvan.oversights (id),
    unit_id      bigint NOT NULL REFERENCES danvan.units (id),
    PRIMARY KEY (oversight_id, unit_id)
);

CREATE TABLE danvan.oversight_party_members (
    oversight_id bigint NOT NULL REFERENCES danvan.oversights (id),
    full_name    text NOT NULL CHECK (char_length(full_name) BETWEEN 1 AND 200 AND full_name = normalize(full_name, NFC)),
    PRIMARY KEY (oversight_id, full_name)
);

-- Their counts per unit and period, beside the others.
ALTER TABLE danvan.statistics
    ADD COLUMN oversights bigint NOT NULL DEFAULT 0,
    ADD COLUMN organisations_overseen bigint NOT NULL DEFAULT 0,
    ADD COLUMN party_members_overseen bigint NOT NULL DEFAULT 0;
