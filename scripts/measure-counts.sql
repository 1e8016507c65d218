-- Fills a migrated database with what issue 21's count figures ask for: a week of
-- day partitions, 10M finished jobs in kheo.job_history, 1M available jobs in
-- kheo.jobs, then folds the counters. Usage (about 2 minutes):
--   DATABASE_URL=… kheo migrate && psql "$DATABASE_URL" -f scripts/measure-counts.sql
-- Then time the two statements below with PREPARE/EXECUTE (psql \timing).
DO $$
DECLARE state text; day date;
BEGIN
    FOREACH state IN ARRAY ARRAY['completed', 'cancelled', 'discarded'] LOOP
        FOR offset_days IN -7..-1 LOOP
            day := (now() AT TIME ZONE 'UTC')::date + offset_days;
            EXECUTE format('CREATE TABLE kheo.%I PARTITION OF kheo.%I FOR VALUES FROM (%L) TO (%L)',
                format('job_history_%s_p%s', state, to_char(day, 'YYYYMMDD')), 'job_history_' || state,
                (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
        END LOOP;
    END LOOP;
END $$;
\timing on
INSERT INTO kheo.job_history (id, queue, kind, state, attempt, attempted_at, finalized_at, scheduled_at, inserted_at)
SELECT nextval(pg_get_serial_sequence('kheo.jobs', 'id')), (ARRAY['default','danvan','reports'])[1 + g % 3], 'kheo.noop',
       CASE WHEN g % 1000 = 0 THEN 'discarded'::kheo.job_state ELSE 'completed'::kheo.job_state END, 1, t, t, t, t
FROM (SELECT g, now() - (g % (7 * 86400)) * interval '1 second' AS t FROM generate_series(1, 10000000) AS g) AS s;
INSERT INTO kheo.jobs (queue, kind, priority, scheduled_at)
SELECT (ARRAY['default','danvan','reports'])[1 + g % 3], 'kheo.noop', g % 10, now() - (g % 3600) * interval '1 second'
FROM generate_series(1, 1000000) AS g;
VACUUM ANALYZE;
BEGIN; SELECT set_config('kheo.keep_minutes', '691200 seconds', true);
WITH gone AS (DELETE FROM kheo.job_counts RETURNING queue, state, jobs)
INSERT INTO kheo.job_counts (queue, state, jobs) SELECT queue, state, sum(jobs) FROM gone GROUP BY queue, state HAVING sum(jobs) <> 0;
WITH gone AS (DELETE FROM kheo.job_minutes RETURNING queue, minute, state, jobs)
INSERT INTO kheo.job_minutes (queue, minute, state, jobs) SELECT queue, minute, state, sum(jobs) FROM gone
WHERE minute >= now() - current_setting('kheo.keep_minutes')::interval GROUP BY queue, minute, state HAVING sum(jobs) <> 0;
COMMIT;
VACUUM ANALYZE kheo.job_counts, kheo.job_minutes;
SELECT count(*) AS count_rows FROM kheo.job_counts; SELECT count(*) AS minute_rows FROM kheo.job_minutes;

-- The queues list (QueueRecord.statement):
-- WITH counts AS (     SELECT queue, state, sum(jobs)::int8 AS jobs FROM kheo.job_counts     WHERE state IN ('available', 'running', 'scheduled', 'retryable')     GROUP BY queue, state HAVING sum(jobs) <> 0 ), names AS (     SELECT name FROM kheo.queues UNION SELECT queue FROM counts ) SELECT n.name, q.paused_at,        coalesce((SELECT c.jobs FROM counts c WHERE c.state = 'available' AND c.queue = n.name), 0) AS available,        coalesce((SELECT c.jobs FROM counts c WHERE c.state = 'running' AND c.queue = n.name), 0) AS running,        coalesce((SELECT c.jobs FROM counts c WHERE c.state = 'scheduled' AND c.queue = n.name), 0) AS scheduled,        coalesce((SELECT c.jobs FROM counts c WHERE c.state = 'retryable' AND c.queue = n.name), 0) AS retryable,        extract(epoch FROM now() - (            SELECT min(first.scheduled_at) FROM generate_series(0, 9) AS p(priority)            CROSS JOIN LATERAL (                SELECT j.scheduled_at FROM kheo.jobs j                WHERE j.state = 'available' AND j.queue = n.name AND j.priority = p.priority                ORDER BY j.scheduled_at, j.id LIMIT 1            ) AS first        ))::float8 AS oldest FROM names AS n LEFT JOIN kheo.queues AS q ON q.name = n.name ORDER BY n.name 

-- Finished in the last day (JobCounts.finishedSince):
-- WITH edge AS (     SELECT date_trunc('minute', now() - interval '1 day', 'UTC') AS first_minute,            date_trunc('hour', now() - interval '1 day' + interval '59 minutes', 'UTC') AS first_hour ) SELECT queue, state::text AS state, sum(jobs)::int8 AS jobs FROM (     SELECT h.queue, h.state, h.jobs FROM kheo.job_hours AS h, edge WHERE h.hour >= edge.first_hour     UNION ALL     SELECT m.queue, m.state, m.jobs FROM kheo.job_minutes AS m, edge     WHERE m.minute >= edge.first_minute AND m.minute < edge.first_hour ) AS f GROUP BY queue, state HAVING sum(jobs) <> 0 
