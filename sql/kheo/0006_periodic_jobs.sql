-- Periodic (cron) jobs: the last fire time each entry inserted. A node inserts a fire
-- only in the transaction that moves last_fire_at forward, so however many nodes run
-- the same entry, each fire time is inserted once (and the job also carries a unique
-- key per fire time). A node that starts after a missed fire inserts only the latest
-- missed one, never a backlog.
CREATE TABLE kheo.periodic_jobs (
    name         text PRIMARY KEY CHECK (char_length(name) BETWEEN 1 AND 128),
    schedule     text NOT NULL,
    time_zone    text NOT NULL,
    last_fire_at timestamptz NOT NULL,
    last_job_id  bigint,
    updated_at   timestamptz NOT NULL DEFAULT now()
) WITH (fillfactor = 50);

COMMENT ON TABLE kheo.periodic_jobs IS 'Cron entries declared by workers, with the last fire time inserted.';
