-- The kheo schema holds everything the queue engine owns. Application schemas
-- (the Dân vận khéo domain) live beside it and depend on it, never the reverse.
CREATE SCHEMA IF NOT EXISTS kheo;

COMMENT ON SCHEMA kheo IS 'Kheo job queue: jobs, queues, workers and the migration history.';
