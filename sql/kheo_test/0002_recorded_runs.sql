-- When each `kheo.record` handler ran, by the worker host's clock, and the key its job
-- counted under: tests of limits count how many of one key ran at once from these.
ALTER TABLE kheo.recorded_effects
    ADD COLUMN partition_key text,
    ADD COLUMN started_at timestamptz,
    ADD COLUMN finished_at timestamptz;
