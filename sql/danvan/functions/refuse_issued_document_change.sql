-- Applied again by kheo migrate whenever this file changes (CREATE OR REPLACE): edit
-- it in place. Its first definition is in sql/danvan/0022_danvan_documents.sql.
--
-- An issued document never changes, whoever writes to the database: its row may not
-- be updated or deleted, and its files may not be added, changed or removed.
CREATE OR REPLACE FUNCTION danvan.refuse_issued_document_change() RETURNS trigger
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
