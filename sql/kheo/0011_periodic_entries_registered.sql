-- A node registers its periodic entries when it starts, before any of them fires, so
-- `kheo cron list` shows what the nodes run without being given their file. An entry
-- that has never fired has no last fire.
ALTER TABLE kheo.periodic_jobs ALTER COLUMN last_fire_at DROP NOT NULL;
ALTER TABLE kheo.periodic_jobs ADD COLUMN kind text;
ALTER TABLE kheo.periodic_jobs ADD COLUMN queue text;
-- When a node last started with the entry: one removed from every node's file stays
-- here, and its age says so.
ALTER TABLE kheo.periodic_jobs ADD COLUMN registered_at timestamptz;
COMMENT ON TABLE kheo.periodic_jobs IS 'Cron entries the nodes registered, with the last fire time inserted.';
