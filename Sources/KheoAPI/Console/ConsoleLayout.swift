import DanVan
import PostgresClient
import HTTPTypes

/// The shell every console page shares: the banner naming who is signed in (the
/// token's unit and role), the navigation for that principal, and the main content.
/// Semantic landmarks (header, nav, main), a skip link, and one `<h1>` per page.
enum ConsoleLayout {
    enum Section: String, Sendable {
        case units, inbox, models, inspections, deadlines, statistics, reports, documents
        case overview, queues, jobs, periodic, nodes
        case none
    }

    /// `refresh`: seconds after which the page reloads itself while visible (with the
    /// script; without it the page simply stays).
    static func page(_ title: String, _ request: ConsoleRequest, section: Section, refresh: Int? = nil, notice: String? = nil, _ content: HTML) -> HTML {
        let session = request.session
        return document(title: title, body: """
            <a class="skip" href="#main">Bỏ qua điều hướng</a>
            <header class="top">
              <p class="brand"><a href="/console/">Kheo · Dân vận khéo</a></p>
              \(banner(session, unitName: request.unitName))
            </header>
            \(navigation(session, section: section))
            <main id="main" tabindex="-1"\(HTML(unsafe: refresh.map { " data-refresh=\"\($0)\"" } ?? ""))>
              <h1>\(title)</h1>
              \(HTML.when(notice != nil || request.query("notice") != nil, "<p class=\"notice\" role=\"status\">\(notice ?? ConsoleNotices.text(request.query("notice") ?? ""))</p>"))
              \(content)
            </main>
            """)
    }

    static func error(title: String, detail: String, session: ConsoleSessions.Session?) -> HTML {
        document(title: title, body: """
            <header class="top"><p class="brand"><a href="/console/">Kheo · Dân vận khéo</a></p></header>
            <main id="main">
              <h1>\(title)</h1>
              <p class="error" role="alert">\(detail)</p>
              <p><a href="/console/">Về trang chính</a> · <a href="/console/sign-in">Đăng nhập</a></p>
            </main>
            """)
    }

    static func document(title: String, body: HTML) -> HTML {
        """
        <!DOCTYPE html>
        <html lang="vi">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) · Kheo</title>
        <link rel="stylesheet" href="/console/assets/console.css">
        <script src="/console/assets/console.js" defer></script>
        </head>
        <body>
        \(body)
        </body>
        </html>
        """
    }

    private static func banner(_ session: ConsoleSessions.Session?, unitName: String?) -> HTML {
        guard let session else { return .empty }
        let who: HTML = session.principal.isOperator
            ? "Quyền <strong>\(ConsoleText.role(.operator))</strong>"
            : "Quyền <strong>\(ConsoleText.role(session.principal.role))</strong> của <strong>\(unitName ?? "đơn vị \(session.principal.unitID ?? 0)")</strong>"
        return """
            <div class="who">
              <p>\(who)\(HTML.when(!session.label.isEmpty, " · \(session.label)")) · hết hạn \(ConsoleText.dateTime(session.expiresAt))</p>
              <form method="post" action="/console/sign-out">\(csrf(session))<button type="submit" class="link">Đăng xuất</button></form>
            </div>
            """
    }

    private static func navigation(_ session: ConsoleSessions.Session?, section: Section) -> HTML {
        guard let session else { return .empty }
        var links: [(Section, String, String)] = []
        if session.principal.isOperator {
            links += [
                (.overview, "/console/ops", "Tổng quan"), (.queues, "/console/ops/queues", "Hàng đợi"), (.jobs, "/console/ops/jobs", "Công việc"),
                (.periodic, "/console/ops/periodic", "Định kỳ"), (.nodes, "/console/ops/nodes", "Máy chạy"), (.units, "/console/units", "Đơn vị"),
            ]
        } else {
            links += [
                (.units, "/console/units", "Đơn vị"), (.inbox, "/console/inbox", "Hộp thư"), (.models, "/console/models", "Mô hình"),
                (.inspections, "/console/inspections", "Kiểm tra"), (.deadlines, "/console/deadlines", "Thời hạn"),
                (.statistics, "/console/statistics", "Thống kê"), (.reports, "/console/reports", "Báo cáo"),
                (.documents, "/console/documents", "Văn bản"),
            ]
        }
        return """
            <nav aria-label="Chức năng"><ul>\(HTML.each(links) { link in
                "<li><a href=\"\(link.1)\"\(HTML(unsafe: link.0 == section ? " aria-current=\"page\"" : ""))>\(link.2)</a></li>"
            })</ul></nav>
            """
    }

    /// The hidden field every form carries.
    static func csrf(_ session: ConsoleSessions.Session?) -> HTML {
        "<input type=\"hidden\" name=\"_csrf\" value=\"\(session?.csrfToken ?? "")\">"
    }

    /// A table with a caption and header row; `rows` already rendered.
    static func table(caption: String, headers: [String], numericFrom: Int = Int.max, rows: [HTML], empty: String = "Chưa có dữ liệu.") -> HTML {
        guard !rows.isEmpty else { return "<p class=\"empty\">\(empty)</p>" }
        return """
            <div class="scroll"><table>
            <caption>\(caption)</caption>
            <thead><tr>\(HTML.each(headers.enumerated()) { index, header in
                "<th scope=\"col\"\(HTML(unsafe: index >= numericFrom ? " class=\"num\"" : ""))>\(header)</th>"
            })</tr></thead>
            <tbody>\(rows)</tbody>
            </table></div>
            """
    }

    /// A `<select>` with a label; `options` as (value, text).
    static func select(_ name: String, label: String, options: [(String, String)], selected: String?, includeAll: String? = nil) -> HTML {
        """
        <div class="field"><label for="s-\(name)">\(label)</label>
        <select id="s-\(name)" name="\(name)">\(HTML.when(includeAll != nil, "<option value=\"\">\(includeAll ?? "")</option>"))\(HTML.each(options) { option in
            "<option value=\"\(option.0)\"\(HTML(unsafe: option.0 == selected ? " selected" : ""))>\(option.1)</option>"
        })</select></div>
        """
    }
}

/// The short messages shown after a form succeeded (`?notice=`), so a redirect never
/// carries a user's text.
enum ConsoleNotices {
    static func text(_ key: String) -> String {
        switch key {
        case "registered": "Đã đăng ký mô hình."
        case "moved": "Đã chuyển trạng thái mô hình."
        case "evidence": "Đã đính kèm minh chứng."
        case "read": "Đã đánh dấu đã đọc."
        case "submitted": "Đã gửi kế hoạch kiểm tra; lịch sẽ được xếp trong giây lát."
        case "findings": "Đã ghi kết quả kiểm tra."
        case "requested": "Đã yêu cầu lập báo cáo; báo cáo sẽ có trong danh sách khi hoàn thành."
        case "drafting": "Đang soạn dự thảo từ số liệu; văn bản sẽ có trong sổ khi soạn xong."
        case "saved": "Đã lưu dự thảo."
        case "issued": "Đã ban hành văn bản; từ nay văn bản không thay đổi."
        case "paused": "Đã tạm dừng hàng đợi."
        case "resumed": "Đã cho hàng đợi chạy lại."
        case "retried": "Đã cho chạy lại công việc."
        case "cancelled": "Đã hủy công việc."
        case "signed-out": "Đã đăng xuất."
        default: ""
        }
    }
}
