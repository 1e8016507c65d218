-- A plan may pin units to days ([{"target": 12, "date": "05/08/2025", "slot": "morning"}]),
-- and may be rescheduled before any of its visits has taken place: each schedule is a
-- revision, and the units hear of the new one.
ALTER TABLE danvan.inspection_plans
    ADD COLUMN pins jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(pins) = 'array'),
    ADD COLUMN revision integer NOT NULL DEFAULT 0 CHECK (revision >= 0);
