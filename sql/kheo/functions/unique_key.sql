-- Applied again by kheo migrate whenever this file changes (CREATE OR REPLACE): edit
-- it in place. Its first definition is in sql/kheo/0003_unique_jobs.sql.
--
-- What makes a job unique, hashed: always its kind; its queue when by_queue; its args
-- when by_args is not NULL (all of them for an empty array, else only the named
-- top-level fields); the period its scheduled time falls in (whole multiples of
-- by_period_seconds since the Unix epoch, so UTC days for 86400); and any extra text
-- the caller adds (a cron entry's fire time). jsonb's text form is canonical, so the
-- same args give the same key whatever their key order or spacing.
CREATE OR REPLACE FUNCTION kheo.unique_key(
    kind              text,
    queue             text,
    args              jsonb,
    scheduled_at      timestamptz,
    by_args           text[],
    by_queue          boolean,
    by_period_seconds bigint,
    extra             text DEFAULT NULL
) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT md5(jsonb_build_array(
        kind,
        CASE WHEN by_queue THEN queue END,
        CASE WHEN by_args IS NULL THEN NULL
             WHEN cardinality(by_args) = 0 THEN args
             ELSE (SELECT coalesce(jsonb_object_agg(field, args -> field), '{}')
                   FROM unnest(by_args) AS field WHERE args ? field) END,
        CASE WHEN by_period_seconds > 0
             THEN floor(extract(epoch FROM scheduled_at) / by_period_seconds)::bigint END,
        extra
    )::text)::uuid
$$;
