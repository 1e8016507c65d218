public import PostgresClient

/// A unit's figures for a period with those of the units under it, as the tree stood
/// on the period's last day: the unit's name then, and the units under it then. A 2024
/// report of a commune merged in 2025 reads as it did in 2024. A cluster's rows are
/// its members then; a cluster is no row of its parent's report (its figures are
/// other units').
public struct ReportRows: Sendable {
    public struct Row: Sendable, Equatable {
        public var unitID: Int64
        public var unitName: String
        public var figures: [Model.Field?: StatisticsFigures]

        /// All fields together.
        public var total: StatisticsFigures? { figures[nil] }
    }

    public var period: Period
    /// The unit itself.
    public var unit: Row
    /// The units under it: the territorial ones (districts, communes) by name, then
    /// the bodies (party committee, front, organisations) by name.
    public var below: [Row]
    public var snapshotID: Int64

    public static func read(unit unitID: Int64, period periodID: Int64, on executor: some PostgresExecutor) throws -> ReportRows {
        guard let unit = try UnitDirectory().find(unitID, on: executor) else { throw DocumentError.unitNotFound(unitID) }
        guard let period = try Periods().find(periodID, on: executor) else { throw DocumentError.periodNotFound(periodID) }
        guard unit.stands(on: period.endsOn) else {
            throw DocumentError.unitNotStanding(unit: unit.id, lastDay: period.endsOn, successor: unit.successorID)
        }
        let named = try executor.query(
            """
            SELECT u.id, danvan.unit_name_on(u.id, $2::date) AS name
            FROM unnest(ARRAY[$1::bigint] || ARRAY(
                SELECT c.id FROM danvan.unit_children_on($1, $2::date) AS c(id) JOIN danvan.units AS k ON k.id = c.id
                WHERE k.kind <> 'cluster'
                UNION ALL
                SELECT m.unit_id FROM danvan.cluster_members AS m
                WHERE m.cluster_id = $1 AND m.valid_from <= $2::date AND (m.valid_until IS NULL OR m.valid_until > $2::date)
            )) WITH ORDINALITY AS u(id, n)
            JOIN danvan.units AS k ON k.id = u.id
            -- The unit, then the territorial units under it, then its bodies.
            ORDER BY u.n = 1 DESC, k.kind IN ('province', 'district', 'commune') DESC, name, u.id
            """,
            unitID, period.endsOn.iso
        ).map { (id: try $0.decode("id", as: Int64.self), name: try $0.decode("name", as: String.self)) }
        let figures = try StatisticsFigures.read(units: named.map(\.id), period: periodID, on: executor)
        let rows = named.map { unit in
            Row(unitID: unit.id, unitName: unit.name, figures: Dictionary(uniqueKeysWithValues: (figures[unit.id] ?? []).map { ($0.field, $0) }))
        }
        guard let snapshot = named.lazy.compactMap({ figures[$0.id]?.first?.snapshotID }).first, let first = rows.first else { throw DocumentError.noStatistics(unit: unitID, period: periodID) }
        return ReportRows(period: period, unit: first, below: Array(rows.dropFirst()), snapshotID: snapshot)
    }
}
