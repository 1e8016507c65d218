public import Kheo
import PostgresClient

/// `report.generate`: a unit's six-month or annual report for a period, from the
/// current statistics snapshot, stored in `danvan.reports` as HTML and CSV.
public enum ReportJobs {
    public struct Generate: JobArgs {
        public static let kind = "report.generate"
        public var unitID: Int64
        public var periodID: Int64

        public init(unitID: Int64, periodID: Int64) {
            self.unitID = unitID
            self.periodID = periodID
        }
    }

    public static func register(in registry: inout JobRegistry) {
        registry.register(GenerateHandler())
    }

    struct GenerateHandler: JobHandler {
        func run(_ args: Generate, context: JobContext) throws -> JobResult {
            do {
                try generate(args, context: context)
            } catch let error as ReportError where error != .noStatistics {
                // A unit or period that does not exist will not appear on a retry.
                return .discard(reason: error.description)
            }
            return .completed
        }

        private func generate(_ args: Generate, context: JobContext) throws {
            try context.transaction { connection in
                guard let unit = try UnitDirectory().find(args.unitID, on: connection) else {
                    throw ReportError.unitNotFound(args.unitID)
                }
                guard let period = try connection.query(
                    "SELECT name, kind::text AS kind, to_char(ends_on, 'DD/MM/YYYY') AS ends_on FROM danvan.periods WHERE id = $1", args.periodID
                ).first else {
                    throw ReportError.periodNotFound(args.periodID)
                }
                // The report shows the tree as it stood on the period's last day: the
                // unit's name then, and the units under it then. A 2024 report of a
                // commune merged in 2025 reads as it did in 2024. A cluster's rows are
                // its members then; a cluster is no row of its parent's report (its
                // figures are other units').
                let lastDay = try CivilDate(parsing: try period.decode("ends_on"))
                guard unit.stands(on: lastDay) else {
                    throw ReportError.unitNotStanding(unit: unit.id, lastDay: lastDay, successor: unit.successorID)
                }
                let named = try connection.query(
                    """
                    SELECT u.id, danvan.unit_name_on(u.id, $2::date) AS name
                    FROM unnest(ARRAY[$1::bigint] || ARRAY(
                        SELECT c.id FROM danvan.unit_children_on($1, $2::date) AS c(id) JOIN danvan.units AS k ON k.id = c.id
                        WHERE k.kind <> 'cluster'
                        UNION ALL
                        SELECT m.unit_id FROM danvan.cluster_members AS m
                        WHERE m.cluster_id = $1 AND m.valid_from <= $2::date AND (m.valid_until IS NULL OR m.valid_until > $2::date)
                    )) WITH ORDINALITY AS u(id, n)
                    ORDER BY u.n = 1 DESC, name, u.id
                    """,
                    args.unitID, lastDay.iso
                ).map { (id: try $0.decode("id", as: Int64.self), name: try $0.decode("name", as: String.self)) }
                let unitName = named.first?.name ?? unit.name
                var rows: [ReportRenderer.Row] = []
                var snapshot: Int64?
                for (id, name) in named {
                    let figures = try StatisticsFigures.read(unit: id, period: args.periodID, on: connection)
                    snapshot = snapshot ?? figures.first?.snapshotID
                    rows.append(ReportRenderer.Row(unitName: name, figures: Dictionary(uniqueKeysWithValues: figures.map { ($0.field, $0) })))
                }
                guard let snapshot else { throw ReportError.noStatistics }
                let renderer = ReportRenderer(
                    unitName: unitName, periodName: try period.decode("name"), periodKind: try period.decode("kind"), rows: rows
                )
                try connection.query(
                    "INSERT INTO danvan.reports (unit_id, period_id, snapshot_id, title, html, csv) VALUES ($1, $2, $3, $4, $5, $6)",
                    args.unitID, args.periodID, snapshot, renderer.title, renderer.html, renderer.csv
                )
            }
        }
    }
}

/// Why a report could not be generated: a missing unit or period discards the job;
/// missing statistics make it retry (they may be regenerated meanwhile).
public enum ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    case unitNotFound(Int64)
    case periodNotFound(Int64)
    case noStatistics
    /// The unit did not stand on the period's last day: merged or dissolved before it
    /// (its figures are its successor's), or created after it.
    case unitNotStanding(unit: Int64, lastDay: CivilDate, successor: Int64?)

    public var description: String {
        switch self {
        case .unitNotStanding(let unit, let lastDay, let successor):
            "unit \(unit) did not stand on \(lastDay), the period's last day"
                + (successor.map { ": its figures for the period are in the report of unit \($0), its successor" } ?? "")
        case .unitNotFound(let id): "unit \(id) does not exist"
        case .periodNotFound(let id): "period \(id) does not exist"
        case .noStatistics: "no statistics for this unit and period yet: run statistics.regenerate first"
        }
    }
}
