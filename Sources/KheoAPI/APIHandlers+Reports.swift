import DanVan
import HTTPTypes
import Kheo
import OpenAPIRuntime
import PostgresClient

/// `/v1/reports`: ask for one (a `report.generate` job), list them, download one as
/// HTML or CSV.
extension APIHandlers {
    func listReports(_ input: Operations.ListReports.Input) async throws -> Operations.ListReports.Output {
        let principal = try Principal.require(.readReports)
        let query = input.query
        let limit = try APIInput.limit(query.limit, cursor: query.cursor)
        try APIInput.id(query.unit, "unit")
        try APIInput.id(query.period, "period")
        let unit = try principal.defaultUnit(query.unit)
        let found = try await database.run { pool in
            try APIInput.requireScope(.readReports, unit: unit, principal, on: pool)
            return try ReportLibrary().list(under: unit, period: query.period, before: query.cursor, limit: limit + 1, on: pool)
        }
        let page = APIInput.page(found, limit: limit, id: \.id)
        return .ok(.init(body: .json(.init(reports: page.rows.map(Components.Schemas.Report.init), nextCursor: page.next))))
    }

    func requestReport(_ input: Operations.RequestReport.Input) async throws -> Operations.RequestReport.Output {
        let principal = try Principal.require(.requestReport)
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        let job = try await transaction(key: input.headers.idempotencyKey, principal: principal, operation: "requestReport", request: request) { connection in
            try APIInput.requireScope(.requestReport, unit: request.unitId, principal, on: connection)
            guard request.periodId >= 1, try Periods().find(request.periodId, on: connection) != nil else {
                throw Problem(.notFound, "no period \(request.periodId): see /v1/periods")
            }
            var options = EnqueueOptions(queue: DanVanJobs.reportQueue)
            options.tags = [JobScope.unitTag(request.unitId)]
            return try Producer().insert(
                JobRequest(ReportJobs.Generate(unitID: request.unitId, periodID: request.periodId), options: options), on: connection
            ).id
        }
        return .accepted(.init(body: .json(.init(jobId: job))))
    }

    func getReport(_ input: Operations.GetReport.Input) async throws -> Operations.GetReport.Output {
        .ok(.init(body: .json(.init(try await report(input.path.id)))))
    }

    func downloadReportHTML(_ input: Operations.DownloadReportHTML.Input) async throws -> Operations.DownloadReportHTML.Output {
        .ok(.init(body: .html(.init(try await content(input.path.id, .html)))))
    }

    func downloadReportCSV(_ input: Operations.DownloadReportCSV.Input) async throws -> Operations.DownloadReportCSV.Output {
        .ok(.init(body: .csv(.init(try await content(input.path.id, .csv)))))
    }

    private func report(_ id: Int64) async throws -> StoredReport {
        let principal = try Principal.require(.readReports)
        return try await database.run { pool in
            try APIInput.scoped(ReportLibrary().find(id, on: pool), .readReports, unit: \.unitID, principal, on: pool, what: "report", id: id)
        }
    }

    private func content(_ id: Int64, _ format: StoredReport.Format) async throws -> String {
        _ = try await report(id)
        guard let text = try await database.run({ pool in try ReportLibrary().content(id, format, on: pool) }) else {
            throw Problem(.notFound, "no report \(id) within your unit")
        }
        return text
    }
}

extension Components.Schemas.Report {
    init(_ report: StoredReport) {
        self.init(
            id: report.id, unitId: report.unitID, periodId: report.periodID, snapshotId: report.snapshotID, title: report.title,
            generatedAt: report.generatedAt
        )
    }
}
