/// The SQL that says where each unit's records count on a day, for queries that join
/// records to the units they count for.
enum UnitLineageSQL {
    /// A common table expression `lineage (unit_id, counts_for)` for the day `day`:
    /// the nightly statistics' cache of it for the current tree when it has that day
    /// (every period's last day), `danvan.unit_lineage(day)` computed afresh otherwise.
    /// The cache makes a report's lookups an index read instead of a walk of the whole
    /// tree. The cache also counts a cluster's members for the cluster; the fresh walk
    /// does not, so callers that read it should not depend on clusters.
    ///
    /// `day` is an SQL expression of type `date` written in our own code (a parameter
    /// such as `$2::date`, or a subquery), never text from a user.
    static func lineage(on day: String) -> String {
        """
        lineage AS MATERIALIZED (
            SELECT c.unit_id, c.counts_for FROM danvan.unit_lineage_cache AS c
            WHERE c.version = (SELECT version FROM danvan.unit_tree_version) AND c.as_of = \(day)
            UNION ALL
            SELECT f.unit_id, f.counts_for FROM danvan.unit_lineage(\(day)) AS f
            WHERE NOT EXISTS (
                SELECT 1 FROM danvan.unit_lineage_cache AS c
                WHERE c.version = (SELECT version FROM danvan.unit_tree_version) AND c.as_of = \(day))
        )
        """
    }
}
