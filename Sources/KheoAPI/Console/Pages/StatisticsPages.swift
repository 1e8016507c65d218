import DanVan
import PostgresClient
import HTTPTypes
import Foundation

/// The campaign's figures for a unit and period: per field, the recognition rate, the
/// same period a year before, and each unit directly under it; as tables and charts.
enum StatisticsPages {
    static func show(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let unit = try request.unit()
        let chosen = try request.queryID("period")
        struct Loaded: Sendable {
            let name: String
            let periods: [Period]
            let period: Period?
            let previous: Period?
            let figures: [StatisticsFigures]
            let before: [StatisticsFigures]
            let children: [(Int64, String)]
            let childFigures: [Int64: ConsoleQueries.UnitFigures]
        }
        let loaded = try await request.run { pool -> Loaded in
            guard let found = try UnitDirectory().find(unit, on: pool) else { throw ConsoleError.notFound }
            try Authority.require(.readStatistics, by: principal, on: .unit(unit), in: pool)
            let periods = try Periods().list(on: pool)
            let today = try CivilDate.today(on: pool)
            let period = try chosen.map { id throws -> Period in
                guard let period = periods.first(where: { $0.id == id }) else { throw ConsoleError.notFound }
                return period
            } ?? ConsoleQueries.currentPeriod(periods, today: today)
            let previous = period.flatMap { ConsoleQueries.previous(of: $0, in: periods) }
            let children = try UnitDirectory().subtree(of: unit, on: pool).filter { $0.depth == found.depth + 1 && $0.stands(on: period?.endsOn ?? today) }
                .sorted { $0.name < $1.name }.map { ($0.id, $0.name) }
            return Loaded(
                name: found.name, periods: periods, period: period, previous: previous,
                figures: try period.map { try StatisticsFigures.read(unit: unit, period: $0.id, on: pool) } ?? [],
                before: try previous.map { try StatisticsFigures.read(unit: unit, period: $0.id, on: pool) } ?? [],
                children: children,
                childFigures: try period.map { try ConsoleQueries.figures(of: children.map(\.0), period: $0.id, on: pool) } ?? [:]
            )
        }
        guard let period = loaded.period else {
            return .page(ConsoleLayout.page("Thống kê · \(loaded.name)", request, section: .statistics, "<p class=\"empty\">Chưa có kỳ thống kê nào.</p>"))
        }
        let byField = Dictionary(loaded.figures.map { ($0.field?.rawValue ?? "all", $0) }, uniquingKeysWith: { first, _ in first })
        let beforeByField = Dictionary(loaded.before.map { ($0.field?.rawValue ?? "all", $0) }, uniquingKeysWith: { first, _ in first })
        let keys = Model.Field.allCases.map(\.rawValue) + ["all"]
        func label(_ key: String) -> String { Model.Field(rawValue: key)?.vietnamese ?? "Tổng cộng" }
        let rows = keys.map { key -> HTML in
            let now = byField[key], then = beforeByField[key]
            let change: String = {
                guard let then, let now else { return "—" }
                let delta = now.modelsRegistered - then.modelsRegistered
                return (delta >= 0 ? "+" : "") + ConsoleText.number(delta)
            }()
            return """
                <tr\(HTML(unsafe: key == "all" ? " class=\"total\"" : ""))><th scope="row">\(label(key))</th>
                <td class="num">\(ConsoleText.number(now?.modelsRegistered ?? 0))</td><td class="num">\(ConsoleText.number(now?.modelsRecognised ?? 0))</td>
                <td class="num">\(ConsoleText.percent(now?.recognitionRate))</td><td class="num">\(ConsoleText.number(now?.modelsCommended ?? 0))</td>
                <td class="num">\(then.map { ConsoleText.number($0.modelsRegistered) } ?? "—")</td><td class="num">\(change)</td></tr>
                """
        }
        let fields = Model.Field.allCases
        let chart = SVGChart.bars(
            title: "Mô hình theo lĩnh vực, \(period.name)",
            summary: fields.map { "\($0.vietnamese): \(byField[$0.rawValue]?.modelsRegistered ?? 0) đăng ký, \(byField[$0.rawValue]?.modelsRecognised ?? 0) được công nhận" }.joined(separator: "; "),
            labels: ["Kinh tế", "VH – XH", "QP – AN", "HTCT"],
            series: [
                .init(name: "Đăng ký", style: "bar", values: fields.map { byField[$0.rawValue]?.modelsRegistered ?? 0 }),
                .init(name: "Được công nhận", style: "bar2", values: fields.map { byField[$0.rawValue]?.modelsRecognised ?? 0 }),
            ] + (loaded.previous == nil ? [] : [
                .init(name: "Đăng ký cùng kỳ năm trước", style: "fail", values: fields.map { beforeByField[$0.rawValue]?.modelsRegistered ?? 0 }),
            ]),
            width: 640, height: 260
        )
        let childRows = loaded.children.map { child -> HTML in
            let figures = loaded.childFigures[child.0] ?? .init()
            return """
                <tr><th scope="row"><a href="/console/statistics?unit=\(child.0)&amp;period=\(period.id)">\(child.1)</a></th>
                <td class="num">\(ConsoleText.number(figures.registered))</td><td class="num">\(ConsoleText.number(figures.recognised))</td>
                <td class="num">\(ConsoleText.percent(figures.rate))</td><td class="num">\(ConsoleText.number(figures.commended))</td></tr>
                """
        }
        let all = byField["all"]
        return .page(ConsoleLayout.page("Thống kê · \(loaded.name)", request, section: .statistics, """
            <form class="filters" method="get" action="/console/statistics">
              <input type="hidden" name="unit" value="\(unit)">
              \(ConsoleLayout.select("period", label: "Kỳ", options: loaded.periods.map { ("\($0.id)", "\($0.name) (\($0.startsOn) – \($0.endsOn))") }, selected: "\(period.id)"))
              <button type="submit" class="secondary">Xem</button>
            </form>
            <div class="cards">
              <p class="card"><span class="value">\(ConsoleText.number(all?.modelsRegistered ?? 0))</span>mô hình đăng ký</p>
              <p class="card"><span class="value">\(ConsoleText.number(all?.modelsRecognised ?? 0))</span>được công nhận</p>
              <p class="card"><span class="value">\(ConsoleText.percent(all?.recognitionRate))</span>tỷ lệ công nhận</p>
              <p class="card"><span class="value">\(all.map { "\($0.inspectionsDone)/\($0.inspectionsPlanned)" } ?? "0/0")</span>cuộc kiểm tra đã thực hiện</p>
              <p class="card"><span class="value">\(ConsoleText.number(all?.deadlinesMet ?? 0))</span>thời hạn hoàn thành (\(ConsoleText.number(all?.deadlinesMetLate ?? 0)) trễ)</p>
            </div>
            \(chart)
            \(ConsoleLayout.table(caption: "\(period.name) theo lĩnh vực, so với \(loaded.previous?.name ?? "cùng kỳ năm trước")",
                                  headers: ["Lĩnh vực", "Đăng ký", "Được công nhận", "Tỷ lệ", "Biểu dương", "Cùng kỳ năm trước", "Tăng, giảm"], numericFrom: 1, rows: rows))
            <h2>Các đơn vị trực thuộc</h2>
            \(ConsoleLayout.table(caption: "Số liệu từng đơn vị trực thuộc, \(period.name)", headers: ["Đơn vị", "Đăng ký", "Được công nhận", "Tỷ lệ", "Biểu dương"], numericFrom: 1, rows: childRows, empty: "Không có đơn vị trực thuộc."))
            <p class="muted">Số liệu theo lần tổng hợp gần nhất\(HTML.when(all != nil, " (bản số \(all?.snapshotID ?? 0))")).</p>
            """))
    }
}
