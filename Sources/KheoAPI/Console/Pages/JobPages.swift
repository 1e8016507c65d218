import DanVan
import HTTPTypes
import Foundation
import Kheo
import PostgresClient

/// Jobs for operators: a filtered list paged by id, a job's detail (args, every
/// attempt's error, its timeline), cancel and retry one, or in bulk over a filter
/// after a confirmation that shows how many.
enum JobPages {
    /// The filter the query describes, with the query string that reproduces it.
    static func filter(_ request: ConsoleRequest) throws(ConsoleError) -> (JobFilter, String) {
        var filter = JobFilter(limit: 51)
        var parts: [String] = []
        if let state = try request.query("state", as: JobState.self, label: "Trạng thái") {
            filter.states = [state]
            parts.append("state=\(state.rawValue)")
        }
        if let queue = request.query("queue") {
            guard APIServer.isQueueName(queue) else { throw .badRequest("queue: tên hàng đợi không hợp lệ") }
            filter.queues = [queue]
            parts.append("queue=\(queue)")
        }
        if let kind = request.query("kind") {
            guard APIServer.isQueueName(kind.replacingOccurrences(of: ":", with: ".")) else { throw .badRequest("kind: loại công việc không hợp lệ") }
            filter.kinds = [kind]
            parts.append("kind=\(kind)")
        }
        var tags: [String] = []
        if let tag = request.query("tag") {
            guard tag.utf8.count <= 200 else { throw .badRequest("tag: tối đa 200 byte") }
            tags.append(tag)
            parts.append("tag=\(ConsoleServer.percentEncode(tag))")
        }
        if let unit = try request.queryID("unit") {
            tags.append(JobScope.unitTag(unit))
            parts.append("unit=\(unit)")
        }
        filter.tags = tags
        for (name, keyPath) in [("since", \JobFilter.insertedSince), ("until", \JobFilter.insertedUntil)] {
            guard let text = request.query(name) else { continue }
            guard let day = try? CivilDate(parsing: text) else { throw .badRequest("\(name): ghi ngày dd/mm/yyyy") }
            var parts2 = DateComponents()
            parts2.year = day.year; parts2.month = day.month; parts2.day = day.day
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = ConsoleText.timeZone
            let date = calendar.date(from: parts2).map { name == "until" ? $0.addingTimeInterval(86_400) : $0 }
            filter[keyPath: keyPath] = date
            parts.append("\(name)=\(text)")
        }
        return (filter, parts.joined(separator: "&"))
    }

    static func list(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        var (filter, query) = try filter(request)
        filter.before = try request.queryID("cursor")
        let final = filter
        let jobs = try await request.run { pool in try JobRecord.list(final, on: pool) }
        let page = Array(jobs.prefix(50))
        let rows = page.map { job -> HTML in
            """
            <tr><td><a href="/console/ops/jobs/\(job.id)">\(job.id)</a></td><td>\(job.kind)</td><td>\(job.queue)</td>
            <td>\(JobPages.state(job.state))</td><td class="num">\(job.attempt)/\(job.maxAttempts)</td>
            <td>\(ConsoleText.dateTime(job.insertedAt))</td><td>\(job.tags.joined(separator: ", "))</td></tr>
            """
        }
        let states = JobState.allCases.map { ($0.rawValue, $0.rawValue) }
        let bulk: HTML = {
            guard let state = filter.states.first else { return "<p class=\"muted\">Chọn một trạng thái để hủy hoặc chạy lại hàng loạt.</p>" }
            var actions: [HTML] = []
            if [.discarded, .cancelled, .retryable, .scheduled].contains(state) {
                actions.append("<a class=\"button secondary\" href=\"/console/ops/jobs/bulk?do=retry&amp;\(query)\">Chạy lại tất cả…</a>")
            }
            if [.available, .scheduled, .retryable, .running].contains(state) {
                actions.append("<a class=\"button secondary\" href=\"/console/ops/jobs/bulk?do=cancel&amp;\(query)\">Hủy tất cả…</a>")
            }
            return "<p>\(actions)</p>"
        }()
        return .page(ConsoleLayout.page("Công việc", request, section: .jobs, """
            <form class="filters" method="get" action="/console/ops/jobs">
              \(ConsoleLayout.select("state", label: "Trạng thái", options: states, selected: request.query("state"), includeAll: "Tất cả"))
              <div class="field"><label for="queue">Hàng đợi</label><input id="queue" name="queue" value="\(request.query("queue") ?? "")" size="10"></div>
              <div class="field"><label for="kind">Loại</label><input id="kind" name="kind" value="\(request.query("kind") ?? "")" size="16"></div>
              <div class="field"><label for="tag">Nhãn</label><input id="tag" name="tag" value="\(request.query("tag") ?? "")" size="10"></div>
              <div class="field"><label for="unit">Mã đơn vị</label><input id="unit" name="unit" inputmode="numeric" value="\(request.query("unit") ?? "")" size="6"></div>
              <div class="field"><label for="since">Từ ngày</label><input id="since" name="since" placeholder="dd/mm/yyyy" value="\(request.query("since") ?? "")" size="10"></div>
              <div class="field"><label for="until">Đến ngày</label><input id="until" name="until" placeholder="dd/mm/yyyy" value="\(request.query("until") ?? "")" size="10"></div>
              <button type="submit" class="secondary">Lọc</button>
            </form>
            \(bulk)
            \(ConsoleLayout.table(caption: "Công việc, mới nhất trước", headers: ["Mã", "Loại", "Hàng đợi", "Trạng thái", "Lần thử", "Tạo lúc", "Nhãn"], rows: rows, empty: "Không có công việc nào khớp bộ lọc."))
            \(HTML.when(jobs.count > 50, "<p><a href=\"/console/ops/jobs?\(query)\(HTML(unsafe: query.isEmpty ? "" : "&amp;"))cursor=\(page.last?.id ?? 0)\">Trang sau</a></p>"))
            """))
    }

    static func state(_ state: JobState) -> HTML {
        let style = switch state {
        case .completed: "ok"
        case .discarded, .cancelled: "bad"
        default: "warn"
        }
        return "<span class=\"state \(style)\">\(state.rawValue)</span>"
    }

    static func show(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let id = try request.id("job")
        let (job, canControl) = try await request.run { pool in
            guard let job = try JobRecord.find(id, on: pool) else { throw ConsoleError.notFound }
            try Authority.require(.readJobs, by: principal, on: JobScope.subject(job), in: pool)
            return (job, try Authority.allows(.controlJob, by: principal, on: JobScope.subject(job), in: pool))
        }
        let args: String = {
            guard let object = try? JSONSerialization.jsonObject(with: Data(job.args.utf8)),
                  let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]) else { return job.args }
            return String(decoding: pretty, as: UTF8.self)
        }()
        var timeline: [(Date, String)] = [(job.insertedAt, "tạo"), (job.scheduledAt, "hẹn chạy")]
        if let attempted = job.attemptedAt { timeline.append((attempted, "bắt đầu lần thử \(job.attempt)")) }
        for error in job.errors {
            if let at = error.at.flatMap({ try? Date($0, strategy: .iso8601) }) { timeline.append((at, "lần thử \(error.attempt ?? 0) lỗi")) }
        }
        if let cancel = job.cancelRequestedAt { timeline.append((cancel, "yêu cầu hủy")) }
        if let finalized = job.finalizedAt { timeline.append((finalized, job.state.rawValue)) }
        let actions: HTML = canControl ? """
            <p>\(HTML.when([.discarded, .cancelled, .retryable, .scheduled].contains(job.state), """
                <form class="inline" method="post" action="/console/ops/jobs/\(job.id)/retry" data-confirm="Chạy lại công việc \(job.id)?">\(ConsoleLayout.csrf(request.session))<button type="submit">Chạy lại</button></form>
                """))
            \(HTML.when([.available, .scheduled, .retryable, .running].contains(job.state), """
                <form class="inline" method="post" action="/console/ops/jobs/\(job.id)/cancel" data-confirm="Hủy công việc \(job.id)?">\(ConsoleLayout.csrf(request.session))<button type="submit" class="secondary">Hủy</button></form>
                """))</p>
            """ : .empty
        return .page(ConsoleLayout.page("Công việc \(job.id) · \(job.kind)", request, section: .jobs, """
            <dl class="facts">
              <dt>Trạng thái</dt><dd>\(JobPages.state(job.state))</dd>
              <dt>Hàng đợi</dt><dd>\(job.queue)</dd><dt>Ưu tiên</dt><dd>\(job.priority)</dd>
              <dt>Lần thử</dt><dd>\(job.attempt) / \(job.maxAttempts)</dd>
              <dt>Nhãn</dt><dd>\(job.tags.isEmpty ? "—" : job.tags.joined(separator: ", "))</dd>
            </dl>
            \(actions)
            <h2>Tham số</h2>
            <pre>\(args)</pre>
            <h2>Diễn biến</h2>
            <ol>\(HTML.each(timeline.sorted { $0.0 < $1.0 }) { "<li><time datetime=\"\(ConsoleText.iso($0.0))\">\(ConsoleText.dateTime($0.0))</time> — \($0.1)</li>" })</ol>
            <h2>Lỗi từng lần thử</h2>
            \(ConsoleLayout.table(caption: "Lỗi ghi lại", headers: ["Lần", "Lúc", "Lỗi"], rows: job.errors.map { error in
                "<tr><td>\(error.attempt ?? 0)</td><td>\(error.at.flatMap { try? Date($0, strategy: .iso8601) }.map(ConsoleText.dateTime) ?? error.at ?? "")</td><td><pre>\(error.error ?? "")</pre></td></tr>"
            }, empty: "Không có lỗi."))
            """))
    }

    static func retry(_ request: ConsoleRequest) async throws -> ConsoleResponse { try await control(request, retry: true) }
    static func cancel(_ request: ConsoleRequest) async throws -> ConsoleResponse { try await control(request, retry: false) }

    private static func control(_ request: ConsoleRequest, retry: Bool) async throws -> ConsoleResponse {
        let principal = try request.principal
        let id = try request.id("job")
        try await request.run { pool in
            guard let job = try JobRecord.find(id, on: pool) else { throw ConsoleError.notFound }
            try Authority.require(.controlJob, by: principal, on: JobScope.subject(job), in: pool)
            _ = retry ? try JobControl().retry([id], on: pool) : try JobControl().cancel([id], reason: "cancelled from the console", on: pool)
        }
        return .redirect("/console/ops/jobs/\(id)?notice=\(retry ? "retried" : "cancelled")")
    }

    /// At most this many jobs change in one bulk action; the page says so.
    static let bulkLimit = 10_000

    /// The jobs a bulk action would change: the filter's, with a state the action
    /// applies to.
    static func bulkIDs(_ request: ConsoleRequest, retry: Bool) async throws -> [Int64] {
        let (filter, _) = try filter(request)
        guard let state = filter.states.first,
              (retry ? [.discarded, .cancelled, .retryable, .scheduled] : [JobState.available, .scheduled, .retryable, .running]).contains(state)
        else { throw ConsoleError.badRequest("Chọn một trạng thái mà thao tác này áp dụng được.") }
        return try await request.run { pool in
            try pool.query(
                """
                SELECT id FROM kheo.all_jobs
                WHERE state::text = $1 AND (cardinality($2::text[]) = 0 OR queue = ANY ($2)) AND (cardinality($3::text[]) = 0 OR kind = ANY ($3))
                  AND (cardinality($4::text[]) = 0 OR (cardinality(tags) > 0 AND tags && $4))
                  AND ($5::timestamptz IS NULL OR inserted_at >= $5) AND ($6::timestamptz IS NULL OR inserted_at < $6)
                  \(state == .discarded || state == .cancelled ? "AND state IN ('discarded', 'cancelled')" : "")
                ORDER BY id LIMIT $7
                """,
                state.rawValue, filter.queues, filter.kinds, filter.tags, filter.insertedSince, filter.insertedUntil, Int32(bulkLimit)
            ).map { try $0.decode("id", as: Int64.self) }
        }
    }

    static func bulkConfirm(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let retry = request.query("do") != "cancel"
        let ids = try await bulkIDs(request, retry: retry)
        let (_, query) = try filter(request)
        let fields = try ConsoleForm.urlEncoded(query)
        return .page(ConsoleLayout.page(retry ? "Chạy lại hàng loạt" : "Hủy hàng loạt", request, section: .jobs, """
            <p>Bộ lọc khớp <strong>\(ConsoleText.number(ids.count))\(ids.count == bulkLimit ? "+" : "")</strong> công việc\(HTML.when(ids.count == bulkLimit, " (mỗi lần tối đa \(ConsoleText.number(bulkLimit)))")).</p>
            <form method="post" action="/console/ops/jobs/bulk" data-confirm="\(retry ? "Chạy lại" : "Hủy") \(ids.count) công việc?">
              \(ConsoleLayout.csrf(request.session))
              <input type="hidden" name="do" value="\(retry ? "retry" : "cancel")">
              <input type="hidden" name="expected" value="\(ids.count)">
              \(HTML.each(fields.sorted { $0.key < $1.key }) { field in HTML.each(field.value) { "<input type=\"hidden\" name=\"\(field.key)\" value=\"\($0)\">" } })
              <button type="submit"\(HTML(unsafe: ids.isEmpty ? " disabled" : ""))>\(retry ? "Chạy lại" : "Hủy") \(ConsoleText.number(ids.count)) công việc</button>
              <a href="/console/ops/jobs?\(query)">Thôi</a>
            </form>
            """))
    }

    static func bulk(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        // The form carries the filter; read it as the list page reads its query.
        let asQuery = ConsoleRequest(
            path: request.path, parameters: [:], query: request.form.fields, form: ConsoleForm(), session: request.session,
            database: request.database, console: request.console, cookies: [:], secureTransport: request.secureTransport, origin: nil, host: nil
        )
        let retry = request.form["do"] != "cancel"
        let ids = try await bulkIDs(asQuery, retry: retry)
        let (_, query) = try filter(asQuery)
        try await request.run { pool in
            try Authority.require(.administerQueues, by: principal, in: pool)
            _ = retry ? try JobControl().retry(ids, on: pool) : try JobControl().cancel(ids, reason: "cancelled in bulk from the console", on: pool)
        }
        return .redirect("/console/ops/jobs?\(query)\(query.isEmpty ? "" : "&")notice=\(retry ? "retried" : "cancelled")")
    }
}
