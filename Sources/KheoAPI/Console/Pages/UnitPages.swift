import DanVan
import HTTPTypes
import Foundation
import PostgresClient

/// A unit and its subtree with each unit's figures for the current campaign, and the
/// unit's inbox.
enum UnitPages {
    /// `/console/units`: one's own unit; for an operator, the provinces.
    static func root(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        if let unit = try request.queryID("unit") ?? principal.unitID { return .redirect("/console/units/\(unit)") }
        let roots = try await request.run { pool in
            try pool.query("SELECT id, name FROM danvan.units WHERE parent_id IS NULL AND (valid_until IS NULL OR valid_until > danvan.today()) ORDER BY name")
                .map { (try $0.decode("id", as: Int64.self), try $0.decode("name", as: String.self)) }
        }
        return .page(ConsoleLayout.page("Đơn vị", request, section: .units, """
            <ul>\(HTML.each(roots) { "<li><a href=\"/console/units/\($0.0)\">\($0.1)</a></li>" })</ul>
            """))
    }

    static func show(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let id = try request.id("unit")
        struct Loaded: Sendable {
            let unit: OrgUnit
            let units: [OrgUnit]
            let today: CivilDate
            let period: Period?
            let figures: [Int64: ConsoleQueries.UnitFigures]
            let unread: Int
        }
        let loaded = try await request.run { pool -> Loaded in
            guard let unit = try UnitDirectory().find(id, on: pool) else { throw ConsoleError.notFound }
            try Authority.require(.readUnits, by: principal, on: .unit(id), in: pool)
            let today = try CivilDate.today(on: pool)
            // The unit and the units directly under it, as they stand today; each
            // links to its own page one level further down.
            let units = try UnitDirectory().subtree(of: id, on: pool).filter { $0.stands(on: today) && $0.depth <= unit.depth + 1 }
            let period = ConsoleQueries.currentPeriod(try Periods().list(on: pool), today: today)
            let figures = try period.map { try ConsoleQueries.figures(of: units.map(\.id), period: $0.id, on: pool) } ?? [:]
            let unread = try Authority.allows(.readInbox, by: principal, on: .unit(id), in: pool) ? try ConsoleQueries.unread(unit: id, on: pool) : 0
            return Loaded(unit: unit, units: units, today: today, period: period, figures: figures, unread: unread)
        }
        let unit = loaded.unit
        var children: [Int64: [OrgUnit]] = [:]
        for one in loaded.units where one.id != unit.id { children[one.parentID ?? 0, default: []].append(one) }
        func row(_ one: OrgUnit) -> HTML {
            let figures = loaded.figures[one.id] ?? .init()
            return """
                <tr><th scope="row">\(HTML(unsafe: String(repeating: "&nbsp;&nbsp;&nbsp;", count: max(0, one.depth - unit.depth))))<a href="/console/units/\(one.id)">\(one.name)</a></th>
                <td>\(one.kind.vietnamese)</td><td class="num">\(ConsoleText.number(figures.registered))</td>
                <td class="num">\(ConsoleText.number(figures.recognised))</td><td class="num">\(ConsoleText.percent(figures.rate))</td>
                <td class="num">\(ConsoleText.number(figures.commended))</td></tr>
                """
        }
        var rows: [HTML] = [row(unit)]
        func walk(_ parent: Int64) {
            // Territorial units first (the kinds in their declared order), then by name.
            let order = Dictionary(uniqueKeysWithValues: OrgUnit.Kind.allCases.enumerated().map { ($1, $0) })
            for child in (children[parent] ?? []).sorted(by: { (order[$0.kind] ?? 0, $0.name) < (order[$1.kind] ?? 0, $1.name) }) {
                rows.append(row(child))
                walk(child.id)
            }
        }
        walk(unit.id)
        let parentLink: HTML = unit.parentID.map { "<a href=\"/console/units/\($0)\">Đơn vị cấp trên</a> · " } ?? .empty
        return .page(ConsoleLayout.page(unit.name, request, section: .units, """
            <p class="muted">\(unit.kind.vietnamese)\(HTML.when(unit.code != nil, " · mã \(unit.code ?? "")")) · hôm nay \(loaded.today.description)</p>
            <p>\(parentLink)<a href="/console/inbox?unit=\(unit.id)">Hộp thư (\(loaded.unread) chưa đọc)</a> ·
               <a href="/console/models?unit=\(unit.id)">Mô hình</a> · <a href="/console/deadlines?unit=\(unit.id)">Thời hạn</a> ·
               <a href="/console/statistics?unit=\(unit.id)">Thống kê</a> · <a href="/console/reports?unit=\(unit.id)">Báo cáo</a></p>
            \(ConsoleLayout.table(
                caption: loaded.period.map { "Đơn vị trực thuộc và số liệu \($0.name) (\($0.startsOn) – \($0.endsOn))" } ?? "Đơn vị trực thuộc",
                headers: ["Đơn vị", "Loại", "Đăng ký", "Được công nhận", "Tỷ lệ", "Biểu dương"], numericFrom: 2, rows: rows
            ))
            <p class="muted">Số liệu theo lần tổng hợp gần nhất (mỗi đêm).</p>
            """))
    }

    static func inbox(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let unit = try request.unit()
        let unreadOnly = request.query("unread") == "1"
        let before = try request.queryID("cursor")
        let (name, notifications, unread) = try await request.run { pool in
            guard let found = try UnitDirectory().find(unit, on: pool) else { throw ConsoleError.notFound }
            try Authority.require(.readInbox, by: principal, on: .unit(unit), in: pool)
            return (
                found.name, try Inbox().list(unit: unit, unreadOnly: unreadOnly, before: before, limit: 51, on: pool),
                try ConsoleQueries.unread(unit: unit, on: pool)
            )
        }
        let page = Array(notifications.prefix(50))
        let canMark = principal.role >= Action.markNotificationRead.rule.role
        let items = HTML.each(page) { note in
            """
            <tr\(HTML(unsafe: note.readAt == nil ? " class=\"unread\"" : ""))>
            <td><time datetime="\(ConsoleText.iso(note.createdAt))">\(ConsoleText.dateTime(note.createdAt))</time></td>
            <td>\(ConsoleInboxKinds.name(note.kind))</td>
            <td><strong>\(note.title)</strong><br>\(note.body)</td>
            <td>\(note.readAt == nil
                ? (canMark ? HTML("""
                    <form class="inline" method="post" action="/console/notifications/\(note.id)/read">\(ConsoleLayout.csrf(request.session))<button type="submit" class="secondary">Đánh dấu đã đọc</button></form>
                    """) : "chưa đọc")
                : "đã đọc \(ConsoleText.dateTime(note.readAt))" as HTML)</td>
            </tr>
            """
        }
        let next: HTML = notifications.count > 50
            ? "<p><a href=\"/console/inbox?unit=\(unit)&amp;cursor=\(page.last?.id ?? 0)\(HTML(unsafe: unreadOnly ? "&amp;unread=1" : ""))\">Trang sau</a></p>" : .empty
        return .page(ConsoleLayout.page("Hộp thư · \(name)", request, section: .inbox, """
            <p><strong>\(unread)</strong> thông báo chưa đọc ·
            \(unreadOnly ? "<a href=\"/console/inbox?unit=\(unit)\">Xem tất cả</a>" as HTML : "<a href=\"/console/inbox?unit=\(unit)&amp;unread=1\">Chỉ xem chưa đọc</a>")</p>
            \(ConsoleLayout.table(caption: "Nhắc hạn, báo quá hạn, thông báo kiểm tra", headers: ["Thời gian", "Loại", "Nội dung", "Trạng thái"],
                                  rows: page.isEmpty ? [] : [items], empty: "Không có thông báo."))
            \(next)
            """))
    }

    static func markRead(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let id = try request.id("notification")
        let unit = try await request.run { pool -> Int64 in
            guard let note = try Inbox().find(id, on: pool) else { throw ConsoleError.notFound }
            try Authority.require(.markNotificationRead, by: principal, on: .record("notification", id, unit: note.unitID), in: pool)
            _ = try Inbox().markRead(id, on: pool)
            return note.unitID
        }
        return .redirect("/console/inbox?unit=\(unit)&notice=read")
    }
}

/// What each kind of notification is called.
enum ConsoleInboxKinds {
    static func name(_ kind: String) -> String {
        switch kind {
        case "deadline.reminder": "Nhắc hạn"
        case "deadline.overdue": "Quá hạn"
        case "deadline.escalated": "Cấp dưới quá hạn"
        case "deadline.assigned": "Giao nhiệm vụ"
        case "deadline.met": "Đã hoàn thành"
        case "deadline.moved": "Dời hạn"
        case "deadline.withdrawn": "Rút nhiệm vụ"
        case "inspection.scheduled": "Thông báo kiểm tra"
        case "inspection.concluded": "Kết luận kiểm tra"
        case "model.registered": "Đăng ký mô hình"
        default: "Thông báo"
        }
    }
}
