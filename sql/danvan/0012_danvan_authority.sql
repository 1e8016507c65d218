-- Who may cause what (see DanVan's `Authority`): an operator role not tied to a unit,
-- the unit that issued each deadline, and deadlines met late counted apart.

-- Roles become text checked against the list: an enum value added here could not be
-- used by the CHECK below in the same transaction.
ALTER TABLE danvan.api_tokens ALTER COLUMN role TYPE text USING role::text;
DROP TYPE danvan.api_role;
ALTER TABLE danvan.api_tokens
    ADD CONSTRAINT api_tokens_role CHECK (role IN ('viewer', 'editor', 'admin', 'operator')),
    ALTER COLUMN unit_id DROP NOT NULL,
    -- An operator runs the system for every unit; everyone else acts for exactly one.
    ADD CONSTRAINT api_tokens_operator_has_no_unit CHECK ((role = 'operator') = (unit_id IS NULL));

-- Only the issuing unit (or a unit above it) may withdraw a deadline; the assignee
-- meets it. Deadlines from before this migration were set by the unit above.
ALTER TABLE danvan.deadlines ADD COLUMN issuer_unit_id bigint REFERENCES danvan.units (id);
UPDATE danvan.deadlines AS d SET issuer_unit_id = coalesce(u.parent_id, u.id) FROM danvan.units AS u WHERE u.id = d.unit_id;
ALTER TABLE danvan.deadlines ALTER COLUMN issuer_unit_id SET NOT NULL;

-- Met after the due day: recorded with the deadline, so every count can tell them apart.
ALTER TABLE danvan.deadlines ADD COLUMN met_late boolean GENERATED ALWAYS AS (met_on > due_on) STORED;

ALTER TABLE danvan.statistics ADD COLUMN deadlines_met_late integer NOT NULL DEFAULT 0;
COMMENT ON COLUMN danvan.statistics.deadlines_met IS 'deadlines met on or before their due day';
COMMENT ON COLUMN danvan.statistics.deadlines_met_late IS 'deadlines met after their due day';

-- A delivery the egress policy refused is not retried: the address will not change.
ALTER TYPE danvan.delivery_status ADD VALUE 'refused';
