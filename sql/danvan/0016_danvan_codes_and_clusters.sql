-- Codes offices keep for their units (the administrative unit code, or their own),
-- the new kinds' places in the tree, and clusters' members over time.

-- A code names one standing unit: an import matches rows to units by it.
ALTER TABLE danvan.units
    ADD COLUMN code text CHECK (code IS NULL OR (char_length(code) BETWEEN 1 AND 40 AND code = btrim(code)));
CREATE UNIQUE INDEX units_code ON danvan.units (lower(code)) WHERE code IS NOT NULL AND valid_until IS NULL;

-- As 0023's, with the bodies: a Ban Dân vận sits beside a province's, district's or
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

-- The units of a cluster, each for the days it belonged. `Clusters` refuses a member
-- inside another member's subtree; the lineage cache's key keeps a record from
-- counting twice for a cluster in any case.
CREATE TABLE danvan.cluster_members (
    cluster_id  bigint NOT NULL REFERENCES danvan.units (id),
    unit_id     bigint NOT NULL REFERENCES danvan.units (id),
    valid_from  date NOT NULL,
    valid_until date,
    PRIMARY KEY (cluster_id, unit_id, valid_from),
    CHECK (valid_until IS NULL OR valid_until > valid_from),
    CONSTRAINT cluster_members_no_overlap EXCLUDE USING gist (
        int8range(cluster_id, cluster_id, '[]') WITH =, int8range(unit_id, unit_id, '[]') WITH =,
        daterange(valid_from, valid_until) WITH &&
    )
);
CREATE INDEX cluster_members_unit ON danvan.cluster_members (unit_id);

-- A cluster's figures are its members' (the roll-up reads the lineage cache), so a
-- change of members is a change of the tree.
CREATE TRIGGER cluster_members_tree_changed AFTER INSERT OR UPDATE OR DELETE ON danvan.cluster_members
    FOR EACH STATEMENT EXECUTE FUNCTION danvan.unit_tree_changed();
