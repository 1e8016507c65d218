-- Models (mô hình "Dân vận khéo"): registered by a unit, collectively or by one person,
-- in one of four fields, within a campaign's registration window and quota, then
-- taken through their lifecycle with every transition kept.

CREATE TYPE danvan.model_field AS ENUM (
    'economy',            -- kinh tế
    'culture_society',    -- văn hóa – xã hội
    'defence_security',   -- quốc phòng – an ninh
    'political_system'    -- xây dựng hệ thống chính trị
);

CREATE TYPE danvan.holder_kind AS ENUM ('collective', 'individual');   -- tập thể, cá nhân

CREATE TYPE danvan.model_state AS ENUM (
    'registered', 'implementing', 'evaluated', 'recognised', 'not_recognised', 'commended', 'replicated'
);

-- A campaign of the movement (e.g. "Dân vận khéo" 2017–2018 in Càng Long), run by a unit
-- for its subtree.
CREATE TABLE danvan.campaigns (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id    bigint NOT NULL REFERENCES danvan.units (id),
    name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 300 AND name = normalize(name, NFC)),
    starts_on  date NOT NULL,
    ends_on    date NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (starts_on <= ends_on)
);

-- When and how many models each kind of unit may register in a campaign: Càng Long
-- 2017 ran 15/10 to 31/12, 10 collective + 15 individual per commune.
CREATE TABLE danvan.registration_windows (
    campaign_id      bigint NOT NULL REFERENCES danvan.campaigns (id),
    unit_kind        danvan.unit_kind NOT NULL,
    opens_on         date NOT NULL,
    closes_on        date NOT NULL,
    collective_quota integer NOT NULL CHECK (collective_quota >= 0),
    individual_quota integer NOT NULL CHECK (individual_quota >= 0),
    PRIMARY KEY (campaign_id, unit_kind),
    CHECK (opens_on <= closes_on)
);

CREATE TABLE danvan.models (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id   bigint NOT NULL REFERENCES danvan.campaigns (id),
    unit_id       bigint NOT NULL REFERENCES danvan.units (id),
    field         danvan.model_field NOT NULL,
    holder_kind   danvan.holder_kind NOT NULL,
    -- The collective or the person who carries the model.
    holder_name   text NOT NULL CHECK (char_length(holder_name) BETWEEN 1 AND 300 AND holder_name = normalize(holder_name, NFC)),
    title         text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 500 AND title = normalize(title, NFC)),
    state         danvan.model_state NOT NULL DEFAULT 'registered',
    registered_on date NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- One registration of a title per unit and campaign.
CREATE UNIQUE INDEX models_unique_title ON danvan.models (campaign_id, unit_id, lower(title));
CREATE INDEX models_unit ON danvan.models (unit_id, campaign_id);

CREATE TABLE danvan.model_transitions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_id    bigint NOT NULL REFERENCES danvan.models (id),
    from_state  danvan.model_state,
    to_state    danvan.model_state NOT NULL,
    happened_on date NOT NULL,
    note        text NOT NULL DEFAULT '' CHECK (note = normalize(note, NFC)),
    recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX model_transitions_model ON danvan.model_transitions (model_id, id);
