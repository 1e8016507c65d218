public import PostgresClient

/// How a unit's registrations in a campaign stand against its target ("số lượng đăng
/// ký": 10 collective and 15 individual models per commune in Càng Long 2017–2018).
/// A target is a floor: more is fine and shows as a surplus; falling short is what a
/// report shows. A unit's count covers every unit under it (a commune's hamlets and
/// organisations register toward the commune), in the tree standing on the
/// campaign's last day, so a merged commune's registrations count for its successor.
public struct RegistrationProgress: Sendable, Equatable {
    public let unitID: Int64
    public let unitName: String
    public let unitKind: OrgUnit.Kind
    public let holder: Model.Holder
    public let target: Int
    /// Registered by the unit and every unit under it.
    public let registered: Int

    /// Registrations above the target (positive) or short of it (negative).
    public var difference: Int { registered - target }
    /// How many are still missing to reach the target.
    public var shortfall: Int { max(0, target - registered) }
}

public enum RegistrationTargets {
    /// The progress of `unit` and of every unit under it that has a target in the
    /// campaign (a registration window for its kind), collective then individual,
    /// parents before children. `only` keeps the units named (a report's units of its
    /// period, wherever they sit today), and counts for them alone. The tree is the one
    /// standing on the campaign's last day, read from the nightly statistics' lineage
    /// cache when it holds that day.
    public static func progress(
        campaign: Int64, within unit: Int64, only: [Int64]? = nil, on executor: some PostgresExecutor
    ) throws -> [RegistrationProgress] {
        try executor.query(
            """
            WITH campaign AS (
                SELECT id, ends_on FROM danvan.campaigns WHERE id = $1
            ), \(UnitLineageSQL.lineage(on: "(SELECT ends_on FROM campaign)")), counted AS (
                -- One pass over the campaign's models: each counted for every unit it
                -- counts for, by holder.
                SELECT l.counts_for AS unit_id, m.holder_kind::text AS holder, count(*) AS registered
                FROM lineage AS l JOIN danvan.models AS m ON m.unit_id = l.unit_id
                WHERE m.campaign_id = $1 AND ($3::bigint[] IS NULL OR l.counts_for = ANY ($3::bigint[]))
                GROUP BY l.counts_for, m.holder_kind
            ), targeted AS (
                SELECT u.id, u.name, u.kind, u.path, w.collective_quota, w.individual_quota
                FROM campaign AS c
                JOIN danvan.units AS u ON u.path @> ARRAY[$2::bigint] AND ($3::bigint[] IS NULL OR u.id = ANY ($3::bigint[]))
                     AND u.valid_from <= c.ends_on AND (u.valid_until IS NULL OR u.valid_until > c.ends_on)
                JOIN danvan.registration_windows AS w ON w.campaign_id = c.id AND w.unit_kind = u.kind
            )
            SELECT t.id, t.name, t.kind::text AS kind, h.holder, h.target, coalesce(n.registered, 0) AS registered
            FROM targeted AS t
            CROSS JOIN LATERAL (VALUES ('collective', t.collective_quota), ('individual', t.individual_quota)) AS h(holder, target)
            LEFT JOIN counted AS n ON n.unit_id = t.id AND n.holder = h.holder
            ORDER BY t.path, h.holder
            """,
            campaign, unit, only
        ).map { row in
            RegistrationProgress(
                unitID: try row.decode("id"), unitName: try row.decode("name"),
                unitKind: OrgUnit.Kind(rawValue: try row.decode("kind")) ?? .commune,
                holder: Model.Holder(rawValue: try row.decode("holder")) ?? .collective,
                target: Int(try row.decode("target", as: Int32.self)), registered: Int(try row.decode("registered", as: Int64.self))
            )
        }
    }
}
