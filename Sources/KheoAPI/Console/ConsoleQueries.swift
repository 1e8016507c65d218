import DanVan
import HTTPTypes
import Foundation
import PostgresClient

/// Reads the console needs in bulk that no domain call makes one at a time: every
/// unit's figures of a subtree in one statement, the plans of a subtree, unread counts.
/// Each is parameterised and bounded; none changes anything. Who may see what is
/// decided before these run (`Authority`), on the unit they are asked about.
enum ConsoleQueries {
    /// The period the console shows by default: the campaign year (or calendar year)
    /// that contains today, else the latest that has begun.
    static func currentPeriod(_ periods: [Period], today: CivilDate) -> Period? {
        let begun = periods.filter { $0.startsOn <= today }
        // Of periods ending on the same day, the longest (the year, not its second half).
        let latest: (Period, Period) -> Bool = { ($0.endsOn, -$0.startsOn.dayNumber) < ($1.endsOn, -$1.startsOn.dayNumber) }
        return begun.filter { $0.kind == .year && $0.endsOn >= today }.max { $0.startsOn < $1.startsOn }
            ?? begun.filter { $0.endsOn >= today }.max(by: latest)
            ?? begun.max(by: latest)
    }

    /// The same kind of period a year before `period`, for comparisons.
    static func previous(of period: Period, in periods: [Period]) -> Period? {
        periods.first { other in
            other.kind == period.kind && other.startsOn.year == period.startsOn.year - 1 && other.startsOn.month == period.startsOn.month
        }
    }

    struct UnitFigures: Sendable {
        var registered = 0
        var recognised = 0
        var commended = 0
        var rate: Double? { registered > 0 ? (Double(recognised) * 1000 / Double(registered)).rounded() / 10 : nil }
    }

    /// The all-fields figures of `units` in `period`, from the current snapshot.
    static func figures(of units: [Int64], period: Int64, on executor: some PostgresExecutor) throws -> [Int64: UnitFigures] {
        var figures: [Int64: UnitFigures] = [:]
        for row in try executor.query(
            """
            SELECT s.unit_id, s.models_registered, s.models_recognised, s.models_commended
            FROM danvan.statistics AS s
            WHERE s.period_id = $1 AND s.field = 'all' AND s.unit_id = ANY ($2::bigint[])
            """,
            period, units
        ) {
            figures[try row.decode("unit_id")] = UnitFigures(
                registered: Int(try row.decode("models_registered", as: Int32.self)),
                recognised: Int(try row.decode("models_recognised", as: Int32.self)),
                commended: Int(try row.decode("models_commended", as: Int32.self))
            )
        }
        return figures
    }

    struct PlanSummary: Sendable {
        let id: Int64
        let issuingUnitID: Int64
        let issuingUnitName: String
        let title: String
        let firstDay: CivilDate
        let lastDay: CivilDate
        let status: StoredPlan.Status
        let visits: Int
        let done: Int
    }

    /// Plans issued by `unit` or a unit under it, newest first.
    static func plans(under unit: Int64, limit: Int = 100, on executor: some PostgresExecutor) throws -> [PlanSummary] {
        try executor.query(
            """
            SELECT p.id, p.issuing_unit_id, u.name, p.title, to_char(p.first_day, 'DD/MM/YYYY') AS first_day,
                   to_char(p.last_day, 'DD/MM/YYYY') AS last_day, p.status::text AS status,
                   (SELECT count(*) FROM danvan.inspection_visits AS v WHERE v.plan_id = p.id) AS visits,
                   (SELECT count(*) FROM danvan.inspection_visits AS v WHERE v.plan_id = p.id AND v.done_at IS NOT NULL) AS done
            FROM danvan.inspection_plans AS p JOIN danvan.units AS u ON u.id = p.issuing_unit_id
            WHERE u.path @> ARRAY[$1::bigint]
            ORDER BY p.id DESC LIMIT $2
            """,
            unit, Int32(limit)
        ).map { row in
            PlanSummary(
                id: try row.decode("id"), issuingUnitID: try row.decode("issuing_unit_id"), issuingUnitName: try row.decode("name"),
                title: try row.decode("title"), firstDay: try CivilDate(parsing: try row.decode("first_day")),
                lastDay: try CivilDate(parsing: try row.decode("last_day")),
                status: StoredPlan.Status(rawValue: try row.decode("status")) ?? .submitted,
                visits: Int(try row.decode("visits", as: Int64.self)), done: Int(try row.decode("done", as: Int64.self))
            )
        }
    }

    /// A unit's unread notifications.
    static func unread(unit: Int64, on executor: some PostgresExecutor) throws -> Int {
        Int(try executor.query("SELECT count(*) AS n FROM danvan.notifications WHERE unit_id = $1 AND read_at IS NULL", unit).single().decode("n", as: Int64.self))
    }

    /// Names of units by id (for tables that list ids).
    static func names(of units: [Int64], on executor: some PostgresExecutor) throws -> [Int64: String] {
        guard !units.isEmpty else { return [:] }
        var names: [Int64: String] = [:]
        for row in try executor.query("SELECT id, name FROM danvan.units WHERE id = ANY ($1::bigint[])", Array(Set(units))) {
            names[try row.decode("id")] = try row.decode("name")
        }
        return names
    }
}
