-- Effects written by the built-in `kheo.record` job in the same transaction that
-- completes it. The primary key makes a second completion of one job impossible to
-- hide: demos and tests count these rows to prove each job's effect landed once.
CREATE TABLE kheo.recorded_effects (
    job_id      bigint PRIMARY KEY,
    attempt     integer NOT NULL,
    node        uuid NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
