-- Listing jobs by tag (the HTTP API lists a unit's jobs by their `unit:ID` tags)
-- without walking every job: a GIN index over the tags of tagged jobs only, so jobs
-- enqueued without tags, the workers' hot path, never touch it.
CREATE INDEX jobs_tagged ON kheo.jobs USING gin (tags) WHERE cardinality(tags) > 0;
