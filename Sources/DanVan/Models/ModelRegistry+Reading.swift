public import PostgresClient

/// Reading models and campaigns back, for the API and reports.
extension ModelRegistry {
    public func find(_ id: Int64, on executor: some PostgresExecutor) throws -> Model? {
        try executor.query("SELECT \(Model.columns) FROM danvan.models WHERE id = $1", id).first.map(Model.init(row:))
    }

    /// Models of `unit` and every unit under it, newest first; `before` pages by id.
    public func list(
        under unit: Int64, campaign: Int64? = nil, state: Model.State? = nil, field: Model.Field? = nil,
        before: Int64? = nil, limit: Int = 50, on executor: some PostgresExecutor
    ) throws -> [Model] {
        try executor.query(
            """
            SELECT \(Model.columns) FROM danvan.models
            WHERE unit_id IN (SELECT id FROM danvan.units WHERE path @> ARRAY[$1::bigint])
              AND ($2::bigint IS NULL OR campaign_id = $2) AND ($3::text IS NULL OR state::text = $3)
              AND ($4::text IS NULL OR field::text = $4) AND ($5::bigint IS NULL OR id < $5)
            ORDER BY id DESC LIMIT $6
            """,
            unit, campaign, state?.rawValue, field?.rawValue, before, Int32(min(max(limit, 1), 1000))
        ).map(Model.init(row:))
    }

    /// Every campaign, newest first: what an operator sees.
    public func allCampaigns(on executor: some PostgresExecutor) throws -> [Campaign] {
        try executor.query("SELECT \(Campaign.columns) FROM danvan.campaigns AS c ORDER BY c.id DESC").map(Campaign.init(row:))
    }

    /// The campaigns `unit` takes part in (run by it or a unit above it) and those run
    /// within its subtree, newest first.
    public func campaigns(for unit: Int64, on executor: some PostgresExecutor) throws -> [Campaign] {
        try executor.query(
            """
            SELECT \(Campaign.columns) FROM danvan.campaigns AS c JOIN danvan.units AS u ON u.id = c.unit_id
            WHERE u.path @> ARRAY[$1::bigint] OR c.unit_id = ANY ((SELECT path FROM danvan.units WHERE id = $1)::bigint[])
            ORDER BY c.id DESC
            """,
            unit
        ).map(Campaign.init(row:))
    }

    public func campaign(_ id: Int64, on executor: some PostgresExecutor) throws -> Campaign? {
        try executor.query("SELECT \(Campaign.columns) FROM danvan.campaigns AS c WHERE c.id = $1", id).first.map(Campaign.init(row:))
    }
}
