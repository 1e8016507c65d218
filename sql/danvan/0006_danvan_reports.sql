-- Generated reports: a unit's six-month review (sơ kết) or annual summary (tổng kết)
-- for a period, rendered as HTML and CSV from one statistics snapshot.
CREATE TABLE danvan.reports (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id      bigint NOT NULL REFERENCES danvan.units (id),
    period_id    bigint NOT NULL REFERENCES danvan.periods (id),
    -- The snapshot the figures came from (it may since have been replaced).
    snapshot_id  bigint NOT NULL,
    title        text NOT NULL,
    html         text NOT NULL,
    csv          text NOT NULL,
    generated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX reports_unit ON danvan.reports (unit_id, period_id, id DESC);
