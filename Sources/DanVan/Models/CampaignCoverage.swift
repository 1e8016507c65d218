public import PostgresClient

/// Whether a campaign covers a unit: it is run by the unit or by a unit above it in
/// today's tree. A record tied to a campaign that does not cover its unit is refused as
/// if the campaign did not exist (a unit learns nothing of other units' campaigns).
public enum CampaignCoverage {
    public static func require(_ campaign: Int64, covers unit: Int64, in executor: some PostgresExecutor) throws {
        let covered = try executor.query(
            """
            SELECT 1 FROM danvan.campaigns AS c JOIN danvan.units AS u ON u.id = $2
            WHERE c.id = $1 AND u.path @> ARRAY[c.unit_id]
            """,
            campaign, unit
        )
        guard !covered.isEmpty else { throw ModelError.campaignNotFound(campaign) }
    }
}
