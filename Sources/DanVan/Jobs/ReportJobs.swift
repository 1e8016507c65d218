public import Kheo
import OfficeFiles
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

        /// `danvan.reports` runs at most 2 per unit at a time, units in turn.
        public var partitionKey: String? { DanVanJobs.unitKey(unitID) }
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

        /// The report is the review report's draft with its parts as drawn from the
        /// data: the same document model, rendered as HTML and CSV.
        private func generate(_ args: Generate, context: JobContext) throws {
            try context.transaction { connection in
                let today = try CivilDate.today(on: connection)
                let draft: DocumentDraft
                do {
                    // Headed as on the period's last day: a 2024 report reads as it did
                    // in 2024, whatever the tree became since.
                    let lastDay = try Periods().find(args.periodID, on: connection)?.endsOn
                    draft = try ReviewReportDraft.build(unit: args.unitID, period: args.periodID, today: today, headingDay: lastDay, in: connection)
                } catch let error as DocumentError {
                    switch error {
                    case .unitNotFound(let id): throw ReportError.unitNotFound(id)
                    case .periodNotFound(let id): throw ReportError.periodNotFound(id)
                    case .unitNotStanding(let unit, let lastDay, let successor):
                        throw ReportError.unitNotStanding(unit: unit, lastDay: lastDay, successor: successor)
                    case .noStatistics: throw ReportError.noStatistics
                    default: throw error
                    }
                }
                let document = DocumentRenderer.resolved(draft.model, parts: draft.partTexts)
                try connection.query(
                    "INSERT INTO danvan.reports (unit_id, period_id, snapshot_id, title, html, csv) VALUES ($1, $2, $3, $4, $5, $6)",
                    args.unitID, args.periodID, draft.snapshotID ?? 0, draft.title, DocumentHTML.write(document, title: draft.title),
                    DocumentCSV.write(document)
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
