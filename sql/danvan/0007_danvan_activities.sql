-- Activities units report (conferences held, trainings, documents issued) and the
-- statistics columns that count them and the inspection visits.
CREATE TYPE danvan.activity_kind AS ENUM ('conference', 'training', 'document');

CREATE TABLE danvan.activities (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id    bigint NOT NULL REFERENCES danvan.units (id),
    kind       danvan.activity_kind NOT NULL,
    title      text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 500 AND title = normalize(title, NFC)),
    held_on    date NOT NULL,
    -- Conference sessions or training classes held; 1 for a document.
    sessions   integer NOT NULL DEFAULT 1 CHECK (sessions >= 1),
    -- Attendees or participants; 0 for a document.
    attendees  integer NOT NULL DEFAULT 0 CHECK (attendees >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX activities_unit ON danvan.activities (unit_id, held_on);

ALTER TABLE danvan.statistics
    ADD COLUMN conferences           integer NOT NULL DEFAULT 0,
    ADD COLUMN conference_attendees  integer NOT NULL DEFAULT 0,
    ADD COLUMN trainings             integer NOT NULL DEFAULT 0,
    ADD COLUMN training_participants integer NOT NULL DEFAULT 0,
    ADD COLUMN documents_issued      integer NOT NULL DEFAULT 0,
    ADD COLUMN inspections_planned   integer NOT NULL DEFAULT 0,
    ADD COLUMN inspections_done      integer NOT NULL DEFAULT 0;
