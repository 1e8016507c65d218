import DanVan
import HTTPTypes
import Foundation
import Kheo
import PostgresClient

/// The operators' pages: the overview, queues with pause and resume, periodic jobs
/// and nodes. Counts of unfinished jobs come from their partial indexes
/// (`QueueRecord.list`); finished jobs are counted by `ThroughputCache`, never by a
/// page.
enum OperatorPages {
    static func overview(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let throughput = request.console.throughput.snapshot()
        let (queues, failures) = try await request.run { pool in
            (try QueueRecord.list(on: pool), try JobRecord.list(JobFilter(states: [.discarded], limit: 10), on: pool))
        }
        let hour = throughput.buckets(count: 60, width: 60)
        let day = throughput.buckets(count: 24, width: 3600)
        let lastHour = hour.reduce(into: ThroughputCache.Minute()) { $0.completed += $1.completed; $0.discarded += $1.discarded }
        let lastDay = day.reduce(into: ThroughputCache.Minute()) { $0.completed += $1.completed; $0.discarded += $1.discarded }
        func rate(_ counts: ThroughputCache.Minute) -> String {
            let all = counts.completed + counts.discarded
            return all == 0 ? "—" : ConsoleText.percent((Double(counts.discarded) * 1000 / Double(all)).rounded() / 10)
        }
        let oldest = queues.compactMap(\.oldestAvailableAgeSeconds).max()
        let paused = queues.filter(\.isPaused)
        let queueRows = queues.map { queue -> HTML in
            """
            <tr><th scope="row"><a href="/console/ops/jobs?queue=\(queue.name)">\(queue.name)</a>\(HTML.when(queue.isPaused, " <span class=\"state bad\">tạm dừng</span>"))</th>
            <td class="num">\(ConsoleText.number(queue.available))</td><td class="num">\(ConsoleText.number(queue.running))</td>
            <td class="num">\(ConsoleText.number(queue.scheduled))</td><td class="num">\(ConsoleText.number(queue.retryable))</td>
            <td class="num">\(ConsoleText.number(throughput.total(since: Date().addingTimeInterval(-3600), queue: queue.name).completed))</td>
            <td class="num">\(ConsoleText.age(seconds: queue.oldestAvailableAgeSeconds))</td></tr>
            """
        }
        let failureRows = failures.map { job -> HTML in
            """
            <tr><td><a href="/console/ops/jobs/\(job.id)">\(job.id)</a></td><td>\(job.kind)</td><td>\(job.queue)</td>
            <td>\(ConsoleText.dateTime(job.finalizedAt))</td><td>\(String((job.errors.last?.error ?? "").prefix(160)))</td></tr>
            """
        }
        let hourLabels = (0..<60).map { index -> String in index % 10 == 0 ? "−\(60 - index)′" : "" }
        let dayLabels = (0..<24).map { index -> String in index % 4 == 0 ? "−\(24 - index)h" : "" }
        return .page(ConsoleLayout.page("Tổng quan hệ thống", request, section: .overview, refresh: 15, """
            <div class="cards">
              <p class="card"><span class="value">\(ConsoleText.number(queues.reduce(0) { $0 + $1.available }))</span>công việc chờ chạy</p>
              <p class="card"><span class="value">\(ConsoleText.number(queues.reduce(0) { $0 + $1.running }))</span>đang chạy</p>
              <p class="card"><span class="value">\(ConsoleText.number(lastHour.completed))</span>hoàn thành trong 1 giờ (lỗi \(rate(lastHour)))</p>
              <p class="card"><span class="value">\(ConsoleText.number(lastDay.completed))</span>hoàn thành trong 24 giờ (lỗi \(rate(lastDay)))</p>
              <p class="card"><span class="value">\(ConsoleText.age(seconds: oldest))</span>công việc chờ lâu nhất</p>
              <p class="card"><span class="value">\(paused.count)</span>hàng đợi tạm dừng\(HTML.when(!paused.isEmpty, ": \(paused.map(\.name).joined(separator: ", "))"))</p>
            </div>
            <h2>Một giờ qua, theo phút</h2>
            \(SVGChart.bars(title: "Công việc hoàn thành và thất bại mỗi phút, 60 phút qua",
                            summary: "Tổng \(lastHour.completed) hoàn thành, \(lastHour.discarded) thất bại hẳn.",
                            labels: hourLabels, series: [.init(name: "Hoàn thành", style: "bar", values: hour.map(\.completed)),
                                                         .init(name: "Thất bại", style: "fail", values: hour.map(\.discarded))]))
            <h2>24 giờ qua, theo giờ</h2>
            \(SVGChart.bars(title: "Công việc hoàn thành và thất bại mỗi giờ, 24 giờ qua",
                            summary: "Tổng \(lastDay.completed) hoàn thành, \(lastDay.discarded) thất bại hẳn.",
                            labels: dayLabels, series: [.init(name: "Hoàn thành", style: "bar", values: day.map(\.completed)),
                                                        .init(name: "Thất bại", style: "fail", values: day.map(\.discarded))]))
            <p class="muted">\(throughput.refreshedAt.map { "Đếm lúc \(ConsoleText.dateTime($0)); cập nhật mỗi 5 giây." } ?? "Đang đếm lần đầu; tải lại trang sau ít giây.")</p>
            <h2>Hàng đợi</h2>
            \(ConsoleLayout.table(caption: "Công việc chưa xong theo hàng đợi và trạng thái", headers: ["Hàng đợi", "Chờ chạy", "Đang chạy", "Hẹn giờ", "Chờ thử lại", "Xong trong 1 giờ", "Chờ lâu nhất"], numericFrom: 1, rows: queueRows, empty: "Chưa có hàng đợi."))
            <h2>Thất bại gần đây</h2>
            \(ConsoleLayout.table(caption: "10 công việc bị loại bỏ gần nhất", headers: ["Mã", "Loại", "Hàng đợi", "Lúc", "Lỗi cuối"], rows: failureRows, empty: "Không có công việc thất bại."))
            """))
    }

    static func queues(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let throughput = request.console.throughput.snapshot()
        let queues = try await request.run { pool in try QueueRecord.list(on: pool) }
        let since = Date().addingTimeInterval(-300)
        let rows = queues.map { queue -> HTML in
            let done = throughput.total(since: since, queue: queue.name)
            let action = queue.isPaused ? "resume" : "pause"
            return """
                <tr><th scope="row">\(queue.name)</th><td>\(queue.isPaused ? "tạm dừng từ \(ConsoleText.dateTime(queue.pausedAt))" : "đang chạy")</td>
                <td>\(ConsoleText.limits(queue.limits))</td>
                <td class="num">\(ConsoleText.number(queue.available + queue.scheduled + queue.retryable))</td><td class="num">\(ConsoleText.number(queue.running))</td>
                <td class="num">\(ConsoleText.number(done.completed / 5))/phút</td>
                <td><a class="button secondary" href="/console/ops/queues/\(queue.name)/confirm?do=\(action)">\(queue.isPaused ? "Cho chạy lại" : "Tạm dừng")…</a></td></tr>
                """
        }
        return .page(ConsoleLayout.page("Hàng đợi", request, section: .queues, """
            \(ConsoleLayout.table(caption: "Hàng đợi", headers: ["Hàng đợi", "Tình trạng", "Giới hạn", "Đang chờ", "Đang chạy", "Tốc độ (5 phút)", "Thao tác"], numericFrom: 3, rows: rows, empty: "Chưa có hàng đợi."))
            <p class="muted">Giới hạn giữ chung cho mọi máy chạy. Khóa là đơn vị mà công việc phục vụ, hoặc nơi nhận webhook; đặt bằng <code>kheo queues limit</code>.</p>
            """))
    }

    /// The confirmation step of pause and resume (the form posts only from here).
    static func confirmQueue(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let name = request.parameters["queue"] ?? ""
        guard APIServer.isQueueName(name) else { throw ConsoleError.notFound }
        let pause = request.query("do") != "resume"
        let queues = try await request.run { pool in try QueueRecord.list(on: pool) }
        guard let queue = queues.first(where: { $0.name == name }) else { throw ConsoleError.notFound }
        return .page(ConsoleLayout.page(pause ? "Tạm dừng hàng đợi \(name)?" : "Cho hàng đợi \(name) chạy lại?", request, section: .queues, """
            <p>\(pause ? "Không máy nào nhận thêm công việc của hàng đợi này cho đến khi cho chạy lại; công việc đang chạy vẫn chạy xong." : "Các máy sẽ nhận công việc của hàng đợi này ngay.")
            Hàng đợi đang có \(ConsoleText.number(queue.available)) công việc chờ chạy và \(ConsoleText.number(queue.running)) đang chạy.</p>
            <form method="post" action="/console/ops/queues/\(name)/\(pause ? "pause" : "resume")" data-confirm="\(pause ? "Tạm dừng" : "Cho chạy lại") hàng đợi \(name)?">
              \(ConsoleLayout.csrf(request.session))
              <button type="submit">\(pause ? "Tạm dừng" : "Cho chạy lại")</button> <a href="/console/ops/queues">Thôi</a>
            </form>
            """))
    }

    static func pause(_ request: ConsoleRequest) async throws -> ConsoleResponse { try await control(request, pause: true) }
    static func resume(_ request: ConsoleRequest) async throws -> ConsoleResponse { try await control(request, pause: false) }

    private static func control(_ request: ConsoleRequest, pause: Bool) async throws -> ConsoleResponse {
        let principal = try request.principal
        let name = request.parameters["queue"] ?? ""
        guard APIServer.isQueueName(name) else { throw ConsoleError.notFound }
        do {
            try await request.run { pool in
                try Authority.require(.administerQueues, by: principal, in: pool)
                if pause { try JobControl().pause(queue: name, on: pool) } else { try JobControl().resume(queue: name, on: pool) }
            }
        } catch is JobControlError {
            throw ConsoleError.notFound
        }
        return .redirect("/console/ops/queues?notice=\(pause ? "paused" : "resumed")")
    }

    static func periodic(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let entries = try await request.run { pool in try PeriodicEntryRecord.list(on: pool) }
        let now = Date()
        let rows = entries.map { entry -> HTML in
            """
            <tr><th scope="row">\(entry.name)</th><td><code>\(entry.schedule)</code> (\(entry.timeZone))</td>
            <td>\(entry.lastFireAt.map { ConsoleText.dateTime($0) } ?? "chưa chạy")\(entry.lastJobID.map { " · <a href=\"/console/ops/jobs/\($0)\">công việc \($0)</a>" as HTML } ?? .empty)</td>
            <td>\(ConsoleText.dateTime(entry.nextFire(after: now)))</td></tr>
            """
        }
        return .page(ConsoleLayout.page("Công việc định kỳ", request, section: .periodic, """
            \(ConsoleLayout.table(caption: "Lịch định kỳ do các máy khai báo", headers: ["Tên", "Lịch", "Lần chạy gần nhất", "Lần chạy tới"], rows: rows, empty: "Chưa máy nào khai báo lịch định kỳ."))
            """))
    }

    static func nodes(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let (nodes, leaders) = try await request.run { pool in
            let nodes = try pool.query(
                """
                SELECT id::text AS id, hostname, pid, queues, version, slots::text AS slots, started_at,
                       extract(epoch FROM now() - heartbeat_at)::float8 AS age
                FROM kheo.nodes ORDER BY started_at
                """
            ).map { row in
                (id: try row.decode("id", as: String.self), host: try row.decode("hostname", as: String.self), pid: try row.decode("pid", as: Int32.self),
                 queues: try row.decode("queues", as: [String].self), version: try row.decode("version", as: String.self),
                 slots: try row.decode("slots", as: String.self), started: try row.decode("started_at", as: Date.self), age: try row.decode("age", as: Double.self))
            }
            let leaders = try pool.query("SELECT name, node::text AS node, expires_at > now() AS live FROM kheo.leaders").map { row in
                (name: try row.decode("name", as: String.self), node: try row.decode("node", as: String.self), live: try row.decode("live", as: Bool.self))
            }
            return (nodes, leaders)
        }
        let rows = nodes.map { node -> HTML in
            let slots = (try? JSONDecoder().decode([String: Int].self, from: Data(node.slots.utf8))) ?? [:]
            let leads = leaders.filter { $0.live && $0.node == node.id }.map(\.name)
            return """
                <tr><th scope="row"><code>\(String(node.id.prefix(8)))</code></th><td>\(node.host) (pid \(Int(node.pid)))</td>
                <td>\(node.queues.map { queue in slots[queue].map { "\(queue) × \($0)" } ?? queue }.joined(separator: ", "))</td>
                <td class="num">\(ConsoleText.age(seconds: node.age))</td><td>\(ConsoleText.dateTime(node.started))</td>
                <td>\(leads.isEmpty ? "—" : leads.joined(separator: ", "))</td><td>\(node.version)</td></tr>
                """
        }
        return .page(ConsoleLayout.page("Máy chạy", request, section: .nodes, """
            \(ConsoleLayout.table(caption: "Các tiến trình kheo work và nhịp tim gần nhất", headers: ["Máy", "Tiến trình", "Hàng đợi × luồng", "Nhịp tim cách đây", "Khởi động", "Đang dẫn việc bảo trì", "Phiên bản"], rows: rows, empty: "Không có máy nào đang chạy."))
            """))
    }
}
