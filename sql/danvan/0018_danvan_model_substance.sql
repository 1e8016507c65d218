-- What a model is and what came of it: its description and measurable results, the
-- evidence an office files for it, its evaluation against the guidance's criteria,
-- and the decisions that recognised or commended it. And the field list a campaign
-- sets for itself (Mỹ Thanh's differs from Càng Long's four groups).

ALTER TABLE danvan.models
    ADD COLUMN description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 5000 AND description = normalize(description, NFC));

-- "550.000.000 đồng/năm", "nhân rộng được 20ha": a label, a number and its unit.
CREATE TABLE danvan.model_results (
    model_id bigint NOT NULL REFERENCES danvan.models (id),
    position smallint NOT NULL CHECK (position BETWEEN 1 AND 50),
    label    text NOT NULL CHECK (char_length(label) BETWEEN 1 AND 300 AND label = normalize(label, NFC)),
    quantity numeric(20, 2) NOT NULL,
    unit     text NOT NULL DEFAULT '' CHECK (char_length(unit) <= 50 AND unit = normalize(unit, NFC)),
    PRIMARY KEY (model_id, position)
);

-- Files kept for a model (photos, minutes, a scanned decision), in the database with
-- their SHA-256, at most 5 MiB each; the same file twice is stored once.
CREATE TABLE danvan.model_evidence (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_id     bigint NOT NULL REFERENCES danvan.models (id),
    file_name    text NOT NULL CHECK (char_length(file_name) BETWEEN 1 AND 255 AND file_name = normalize(file_name, NFC)),
    content_type text NOT NULL CHECK (char_length(content_type) BETWEEN 1 AND 200),
    size_bytes   integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 5242880),
    sha256       bytea NOT NULL CHECK (octet_length(sha256) = 32),
    content      bytea NOT NULL,
    uploaded_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (octet_length(content) = size_bytes),
    UNIQUE (model_id, sha256)
);
ALTER TABLE danvan.model_evidence ALTER COLUMN content SET STORAGE EXTERNAL;

-- An evaluation against written criteria (e.g. Hướng dẫn 16-HD/BCĐ of 18/01/2016):
-- each criterion's score out of its maximum; the total is their sum.
CREATE TABLE danvan.model_evaluations (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_id          bigint NOT NULL REFERENCES danvan.models (id),
    evaluator_unit_id bigint NOT NULL REFERENCES danvan.units (id),
    evaluated_on      date NOT NULL,
    guidance          text NOT NULL DEFAULT '' CHECK (char_length(guidance) <= 300 AND guidance = normalize(guidance, NFC)),
    criteria          jsonb NOT NULL CHECK (jsonb_typeof(criteria) = 'array'),
    score             numeric(7, 2) NOT NULL,
    max_score         numeric(7, 2) NOT NULL CHECK (max_score > 0 AND score BETWEEN 0 AND max_score)
);
CREATE INDEX model_evaluations_model ON danvan.model_evaluations (model_id, evaluated_on);

-- A decision that recognised or commended a model: its number and symbol ("125-QĐ/HU"),
-- the day it was signed, the body that issued it, and the unit that proposed it.
CREATE TYPE danvan.decision_kind AS ENUM ('recognition', 'commendation');
CREATE TABLE danvan.model_decisions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model_id         bigint NOT NULL REFERENCES danvan.models (id),
    kind             danvan.decision_kind NOT NULL,
    number           text NOT NULL CHECK (char_length(number) BETWEEN 1 AND 100 AND number = normalize(number, NFC)),
    signed_on        date NOT NULL,
    issuer_unit_id   bigint NOT NULL REFERENCES danvan.units (id),
    proposer_unit_id bigint REFERENCES danvan.units (id),
    UNIQUE (model_id, kind)
);

-- A campaign's own field list, each entry filed under one of the four groups the
-- statistics are cut by. A campaign with a list takes registrations in its fields.
CREATE TABLE danvan.campaign_fields (
    campaign_id bigint NOT NULL REFERENCES danvan.campaigns (id),
    code        text NOT NULL CHECK (code ~ '^[a-z0-9_]{1,40}$'),
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 300 AND name = normalize(name, NFC)),
    field       danvan.model_field NOT NULL,
    position    smallint NOT NULL,
    PRIMARY KEY (campaign_id, code)
);
ALTER TABLE danvan.models
    ADD COLUMN campaign_field text,
    ADD CONSTRAINT models_campaign_field FOREIGN KEY (campaign_id, campaign_field) REFERENCES danvan.campaign_fields (campaign_id, code);
