import DanVan
import PostgresClient
import HTTPTypes
import Foundation
import Kheo

/// Reports of a unit's subtree: request one for a period (a `report.generate` job),
/// and download each as HTML or CSV.
enum ReportPages {
    static func list(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let unit = try request.unit()
        let (name, reports, periods, names) = try await request.run { pool in
            guard let found = try UnitDirectory().find(unit, on: pool) else { throw ConsoleError.notFound }
            try Authority.require(.readReports, by: principal, on: .unit(unit), in: pool)
            let reports = try ReportLibrary().list(under: unit, period: nil, before: nil, limit: 100, on: pool)
            return (found.name, reports, try Periods().list(on: pool), try ConsoleQueries.names(of: reports.map(\.unitID), on: pool))
        }
        let periodNames = Dictionary(periods.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let rows = reports.map { report -> HTML in
            """
            <tr><td>\(report.title)</td><td>\(names[report.unitID] ?? "")</td><td>\(periodNames[report.periodID] ?? "")</td>
            <td><time datetime="\(ConsoleText.iso(report.generatedAt))">\(ConsoleText.dateTime(report.generatedAt))</time></td>
            <td><a href="/console/reports/\(report.id)/download?format=html">HTML</a> · <a href="/console/reports/\(report.id)/download?format=csv">CSV</a></td></tr>
            """
        }
        let canRequest = principal.role >= Action.requestReport.rule.role
        return .page(ConsoleLayout.page("Báo cáo · \(name)", request, section: .reports, """
            \(HTML.when(canRequest, """
            <form class="filters" method="post" action="/console/reports">
              \(ConsoleLayout.csrf(request.session))
              <input type="hidden" name="unit" value="\(unit)">
              \(ConsoleLayout.select("period", label: "Kỳ báo cáo", options: periods.map { ("\($0.id)", "\($0.name) (\($0.startsOn) – \($0.endsOn))") }, selected: nil))
              <button type="submit">Yêu cầu lập báo cáo</button>
            </form>
            """))
            \(ConsoleLayout.table(caption: "Báo cáo đã lập", headers: ["Báo cáo", "Đơn vị", "Kỳ", "Lập lúc", "Tải về"], rows: rows, empty: "Chưa có báo cáo."))
            <p>Bản Word và Excel theo thể thức văn bản của Đảng, có số, ký hiệu và ngày ban hành: <a href="/console/documents?unit=\(unit)">Sổ văn bản</a>.</p>
            """))
    }

    static func request(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let unit = try request.form.id("unit", label: "Đơn vị")
        let period = try request.form.id("period", label: "Kỳ báo cáo")
        try await request.run { pool in
            try pool.transaction { connection in
                try Authority.require(.requestReport, by: principal, on: .unit(unit), in: connection)
                guard try Periods().find(period, on: connection) != nil else { throw ConsoleError.badRequest("Không có kỳ báo cáo này.") }
                var options = EnqueueOptions(queue: DanVanJobs.reportQueue)
                options.tags = [JobScope.unitTag(unit)]
                _ = try Producer().insert(JobRequest(ReportJobs.Generate(unitID: unit, periodID: period), options: options), on: connection)
            }
        }
        return .redirect("/console/reports?unit=\(unit)&notice=requested")
    }

    static func download(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let id = try request.id("report")
        guard let format = StoredReport.Format(rawValue: request.query("format") ?? "html") else { throw ConsoleError.badRequest("format: html hoặc csv") }
        let text = try await request.run { pool -> String in
            guard let report = try ReportLibrary().find(id, on: pool) else { throw ConsoleError.notFound }
            try Authority.require(.readReports, by: principal, on: .record("report", id, unit: report.unitID), in: pool)
            guard let text = try ReportLibrary().content(id, format, on: pool) else { throw ConsoleError.notFound }
            return text
        }
        return .file(Array(text.utf8), type: format == .html ? "text/html; charset=utf-8" : "text/csv; charset=utf-8", name: "bao-cao-\(id).\(format.rawValue)")
    }
}
