-- Documents an office signs and files: six-month, annual and stage reports, inspection
-- plans and schedule notices, inspection conclusions, statistics workbooks. Each is
-- drafted by a `document.draft` job from stored data, may have its narrative parts
-- edited, and is then issued: it gets the next number in its issuing unit's
-- sequence for its kind of document ("15-BC/BTGDVTU"), its files are stored with
-- their SHA-256, and from then on it never changes. A correction is a new document
-- that names the one it corrects (`corrects_id`).
CREATE TYPE danvan.document_kind AS ENUM (
    'review_report', 'inspection_plan', 'inspection_schedule', 'inspection_conclusion', 'statistics_workbook'
);
CREATE TYPE danvan.document_status AS ENUM ('draft', 'issued');

CREATE TABLE danvan.documents (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The unit the document is issued for (its office signs it).
    unit_id      bigint NOT NULL REFERENCES danvan.units (id),
    kind         danvan.document_kind NOT NULL,
    status       danvan.document_status NOT NULL DEFAULT 'draft',
    -- What it was drawn from: a period (reports, workbooks), a plan, a visit.
    period_id    bigint REFERENCES danvan.periods (id),
    plan_id      bigint REFERENCES danvan.inspection_plans (id),
    visit_id     bigint REFERENCES danvan.inspection_visits (id),
    snapshot_id  bigint,
    -- A unit the document is about that also sees it: the inspected unit of a
    -- conclusion. Its office reads the notice; only the issuing unit edits or issues.
    concerned_unit_id bigint REFERENCES danvan.units (id),
    title        text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 500),
    -- The document model (OfficeDocument as JSON) and the editable parts' text.
    model        jsonb NOT NULL,
    parts        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(parts) = 'object'),
    -- The abbreviation of the kind ("BC", "KH", "TB") and of the issuing body
    -- ("BTGDVTU"): the symbol is "<kind>/<body>", the number is given on issue.
    kind_symbol  text NOT NULL CHECK (kind_symbol ~ '^[A-ZĐ]{1,6}$'),
    body_symbol  text NOT NULL CHECK (char_length(body_symbol) BETWEEN 1 AND 20),
    number       integer CHECK (number > 0),
    issued_on    date,
    issued_at    timestamptz,
    corrects_id  bigint REFERENCES danvan.documents (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'issued') = (number IS NOT NULL AND issued_on IS NOT NULL AND issued_at IS NOT NULL)),
    CHECK ((kind IN ('review_report', 'statistics_workbook')) = (period_id IS NOT NULL)),
    CHECK ((kind IN ('inspection_plan', 'inspection_schedule')) = (plan_id IS NOT NULL AND visit_id IS NULL)),
    CHECK ((kind = 'inspection_conclusion') = (visit_id IS NOT NULL))
);

-- A unit's documents, newest first (the registry's list).
CREATE INDEX documents_unit ON danvan.documents (unit_id, id DESC);
-- One number per issuing unit, kind symbol and year, as the register has it.
CREATE UNIQUE INDEX documents_number ON danvan.documents (unit_id, kind_symbol, body_symbol, extract(year FROM issued_on), number)
    WHERE status = 'issued';
CREATE INDEX documents_concerned ON danvan.documents (concerned_unit_id, id DESC) WHERE concerned_unit_id IS NOT NULL;
CREATE INDEX documents_corrects ON danvan.documents (corrects_id) WHERE corrects_id IS NOT NULL;

-- Each unit's register: the last number given per kind symbol and year. Issuing
-- takes the row's lock, so two documents issued at once get consecutive numbers, and
-- a rolled-back issue gives its number back.
CREATE TABLE danvan.document_sequences (
    unit_id     bigint NOT NULL REFERENCES danvan.units (id),
    kind_symbol text NOT NULL,
    year        integer NOT NULL,
    last_number integer NOT NULL CHECK (last_number > 0),
    PRIMARY KEY (unit_id, kind_symbol, year)
);

-- The files of a document: a draft's are rewritten on every edit; an issued one's
-- are the bytes downloaded for ever, with their SHA-256.
CREATE TABLE danvan.document_files (
    document_id bigint NOT NULL REFERENCES danvan.documents (id),
    format      text NOT NULL CHECK (format IN ('docx', 'xlsx', 'html', 'csv')),
    content     bytea NOT NULL,
    sha256      bytea NOT NULL CHECK (octet_length(sha256) = 32),
    PRIMARY KEY (document_id, format)
);

-- An issued document never changes, whoever writes to the database: its row may not
-- be updated or deleted, and its files may not be added, changed or removed.
CREATE FUNCTION danvan.refuse_issued_document_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'documents' THEN
        IF OLD.status = 'issued' THEN
            RAISE EXCEPTION 'document % is issued and never changes: issue a correction instead', OLD.id
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF EXISTS (
        SELECT FROM danvan.documents
        WHERE id IN (CASE WHEN TG_OP = 'INSERT' THEN NEW.document_id ELSE OLD.document_id END) AND status = 'issued'
    ) THEN
        RAISE EXCEPTION 'the files of an issued document never change'
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE TRIGGER documents_issued_never_change BEFORE UPDATE OR DELETE ON danvan.documents
    FOR EACH ROW EXECUTE FUNCTION danvan.refuse_issued_document_change();
CREATE TRIGGER document_files_issued_never_change BEFORE INSERT OR UPDATE OR DELETE ON danvan.document_files
    FOR EACH ROW EXECUTE FUNCTION danvan.refuse_issued_document_change();

COMMENT ON TABLE danvan.documents IS 'Office documents: drafted from stored data, edited, then issued with a number; issued ones never change.';
COMMENT ON TABLE danvan.document_sequences IS 'Each unit''s register of document numbers, per kind symbol and year.';
COMMENT ON TABLE danvan.document_files IS 'A document''s files (.docx/.xlsx, HTML, CSV) with their SHA-256.';
