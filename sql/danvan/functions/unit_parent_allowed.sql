-- Applied again by kheo migrate whenever this file changes (CREATE OR REPLACE): edit
-- it in place. Its first definition is in sql/danvan/0013_danvan_units_over_time.sql,
-- its last numbered one in sql/danvan/0016_danvan_codes_and_clusters.sql.
--
-- As danvan 0013's, with the bodies: a Ban Dân vận sits beside a province's, district's or
-- commune's committee; a Khối Dân vận in a commune; a cluster groups a province's
-- districts or communes (before 01/07/2025 also a district's communes).
CREATE OR REPLACE FUNCTION danvan.unit_parent_allowed(parent danvan.unit_kind, child danvan.unit_kind, starting date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE child
        WHEN 'province' THEN false
        WHEN 'district' THEN parent = 'province' AND starting < danvan.two_tier_since()
        WHEN 'commune' THEN (parent = 'district' AND starting < danvan.two_tier_since())
                         OR (parent = 'province' AND starting >= danvan.two_tier_since())
        WHEN 'hamlet' THEN parent = 'commune'
        WHEN 'party_branch' THEN parent IN ('commune', 'hamlet', 'party_committee')
        WHEN 'mass_mobilisation_bloc' THEN parent = 'commune'
        WHEN 'cluster' THEN parent = 'province' OR (parent = 'district' AND starting < danvan.two_tier_since())
        ELSE parent IN ('province', 'district', 'commune')
    END
$$;
