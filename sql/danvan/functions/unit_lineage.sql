-- Applied again by kheo migrate whenever this file changes (CREATE OR REPLACE): edit
-- it in place. Its first definition is in sql/danvan/0013_danvan_units_over_time.sql.
--
-- Where each unit's records count on `day`, and for which units above: every unit
-- lands on itself while it stands; a unit that ended lands where its successor lands,
-- or, with none, where its last parent lands. From there its records count for that
-- unit and each unit above it in the tree standing that day (or on the landing unit's
-- own first or last day, when it does not stand on `day`). A unit's records thus count
-- for each unit at most once, and only in one tree per day: a province's total is the
-- sum over the units under it that day.
CREATE OR REPLACE FUNCTION danvan.unit_lineage(day date) RETURNS TABLE (unit_id bigint, counts_for bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH RECURSIVE walk (unit_id, at, hops) AS (
        SELECT u.id, u.id, 0 FROM danvan.units AS u
      UNION ALL
        SELECT w.unit_id, coalesce(u.successor_id, l.parent_id), w.hops + 1
        FROM walk AS w
        JOIN danvan.units AS u ON u.id = w.at
        LEFT JOIN danvan.unit_links AS l ON l.unit_id = u.id AND l.valid_until = u.valid_until
        WHERE u.valid_until <= day AND coalesce(u.successor_id, l.parent_id) IS NOT NULL AND w.hops < 64
    ), landing AS (
        SELECT DISTINCT ON (w.unit_id) w.unit_id, w.at AS lands_on,
               least(greatest(day, u.valid_from), coalesce(u.valid_until - 1, day)) AS seen_on
        FROM walk AS w JOIN danvan.units AS u ON u.id = w.at
        ORDER BY w.unit_id, w.hops DESC
    ), climb (unit_id, ancestor, seen_on) AS (
        SELECT l.unit_id, l.lands_on, l.seen_on FROM landing AS l
      UNION ALL
        SELECT c.unit_id, k.parent_id, c.seen_on
        FROM climb AS c
        JOIN danvan.unit_links AS k ON k.unit_id = c.ancestor AND k.valid_from <= c.seen_on
             AND (k.valid_until IS NULL OR k.valid_until > c.seen_on)
    )
    SELECT c.unit_id, c.ancestor FROM climb AS c
$$;
