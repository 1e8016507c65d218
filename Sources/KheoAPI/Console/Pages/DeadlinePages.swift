import DanVan
import PostgresClient
import HTTPTypes
import Foundation

/// Deadlines of a unit's subtree: what is due, overdue, met on time and met late.
enum DeadlinePages {
    static func list(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let unit = try request.unit()
        let status = try request.query("status", as: Deadline.Status.self, label: "Trạng thái")
        let before = try request.queryID("cursor")
        let (name, deadlines, names, counts) = try await request.run { pool in
            guard let found = try UnitDirectory().find(unit, on: pool) else { throw ConsoleError.notFound }
            try Authority.require(.readDeadlines, by: principal, on: .unit(unit), in: pool)
            let deadlines = try DeadlineBook().list(under: unit, status: status, before: before, limit: 101, on: pool)
            let counts = try pool.query(
                """
                SELECT count(*) FILTER (WHERE d.status = 'open') AS open, count(*) FILTER (WHERE d.status = 'overdue') AS overdue,
                       count(*) FILTER (WHERE d.status = 'met' AND d.met_on <= d.due_on) AS on_time,
                       count(*) FILTER (WHERE d.status = 'met' AND d.met_on > d.due_on) AS late
                FROM danvan.deadlines AS d WHERE d.unit_id IN (SELECT id FROM danvan.units WHERE path @> ARRAY[$1::bigint])
                """,
                unit
            ).single()
            return (
                found.name, deadlines, try ConsoleQueries.names(of: deadlines.flatMap { [$0.unitID, $0.issuerUnitID] }, on: pool),
                [try counts.decode("open", as: Int64.self), try counts.decode("overdue", as: Int64.self), try counts.decode("on_time", as: Int64.self),
                 try counts.decode("late", as: Int64.self)].map(Int.init)
            )
        }
        let page = Array(deadlines.prefix(100))
        let rows = page.map { deadline -> HTML in
            let style = deadline.status == .overdue || deadline.metLate ? "bad" : deadline.status == .met ? "ok" : "warn"
            return """
                <tr><td>\(deadline.title)</td><td>\(deadline.kind.vietnamese)</td><td>\(names[deadline.unitID] ?? "")</td>
                <td>\(names[deadline.issuerUnitID] ?? "")</td><td>\(deadline.dueOn.description)</td>
                <td><span class="state \(style)">\(ConsoleText.deadlineStatus(deadline))</span>\(deadline.metOn.map { " \($0.description)" } ?? "")</td></tr>
                """
        }
        let statuses: [(String, String)] = [("open", "Đang chờ"), ("overdue", "Quá hạn"), ("met", "Đã hoàn thành"), ("withdrawn", "Đã rút")]
        return .page(ConsoleLayout.page("Thời hạn · \(name)", request, section: .deadlines, """
            <div class="cards">
              <p class="card"><span class="value">\(ConsoleText.number(counts[0]))</span>đang chờ</p>
              <p class="card"><span class="value">\(ConsoleText.number(counts[1]))</span>quá hạn</p>
              <p class="card"><span class="value">\(ConsoleText.number(counts[2]))</span>hoàn thành đúng hạn</p>
              <p class="card"><span class="value">\(ConsoleText.number(counts[3]))</span>hoàn thành trễ hạn</p>
            </div>
            <form class="filters" method="get" action="/console/deadlines">
              <input type="hidden" name="unit" value="\(unit)">
              \(ConsoleLayout.select("status", label: "Trạng thái", options: statuses, selected: status?.rawValue, includeAll: "Tất cả"))
              <button type="submit" class="secondary">Lọc</button>
            </form>
            \(ConsoleLayout.table(caption: "Thời hạn của đơn vị và các đơn vị trực thuộc", headers: ["Nhiệm vụ", "Loại", "Đơn vị thực hiện", "Đơn vị giao", "Hạn", "Trạng thái"], rows: rows, empty: "Không có thời hạn nào."))
            \(HTML.when(deadlines.count > 100, "<p><a href=\"/console/deadlines?unit=\(unit)\(HTML(unsafe: status.map { "&amp;status=\($0.rawValue)" } ?? ""))&amp;cursor=\(page.last?.id ?? 0)\">Trang sau</a></p>"))
            """))
    }
}
