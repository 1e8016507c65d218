import DanVan
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Kheo
import KheoAPI
import Logging
import PostgresClient

extension Bench {
    /// (h) Console pages on the demo province beside a million finished jobs: a copy of
    /// `kheo_demo` (run `kheo demo` first) gets `sizes.finishedBeside` finished jobs
    /// spread over the last day, a `kheo serve` of this process serves it, and each page
    /// is loaded `sizes.consoleRequests` times one after another, signed in as a
    /// browser would (cookie), after a warm-up. The figure is the time to the whole
    /// response, as a client on the same machine sees it.
    func consolePages() throws -> BenchReport.ConsolePages? {
        let name = "kheo_bench_console_\(getpid())"
        let quoted = try connection.quoteIdentifier(name)
        guard try connection.query("SELECT 1 FROM pg_database WHERE datname = 'kheo_demo'").first != nil else {
            progress("console pages: no kheo_demo database on this server; run kheo demo first (skipped)")
            return nil
        }
        progress("console pages: copying kheo_demo and adding \(sizes.finishedBeside) finished jobs")
        try connection.execute(script: "DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)")
        try connection.execute(script: "CREATE DATABASE \(quoted) TEMPLATE kheo_demo")
        defer { try? connection.execute(script: "DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)") }
        var database = configuration
        database.database = name
        let scratch = try PostgresConnection.connect(to: database, logger: logger)
        // The copy has the schema of the kheo that ran the demo; bring it to this one's.
        var quietMigrations = logger
        quietMigrations.logLevel = max(logger.logLevel, .warning)
        _ = try Migrator(migrations: KheoAPISchema.all + Migration.testLine, logger: quietMigrations).migrate(on: scratch)
        try scratch.query(
            """
            INSERT INTO kheo.job_history (id, queue, kind, state, attempt, attempted_at, finalized_at, scheduled_at, inserted_at, tags, args)
            SELECT nextval(pg_get_serial_sequence('kheo.jobs', 'id')), 'danvan', (ARRAY['statistics.regenerate', 'deadline.scan', 'deadline.remind', 'report.generate'])[1 + g % 4],
                   CASE WHEN g % 1000 = 0 THEN 'discarded'::kheo.job_state ELSE 'completed'::kheo.job_state END, 1, t, t, t, t,
                   CASE WHEN g % 10 = 0 THEN ARRAY['unit:' || (1 + g % 600)] ELSE '{}'::text[] END, '{}'::jsonb
            FROM (SELECT g, now() - (g % 86400) * interval '1 second' AS t FROM generate_series(1, $1) AS g) AS s
            """,
            Int64(sizes.finishedBeside)
        )
        // Settle what the insert left to do (vacuum, the checkpoint) before timing.
        try scratch.execute(script: "VACUUM ANALYZE")
        try scratch.execute(script: "CHECKPOINT")
        let ids = try scratch.query(
            """
            SELECT (SELECT id FROM danvan.units WHERE parent_id IS NULL ORDER BY id LIMIT 1) AS province,
                   (SELECT id FROM danvan.units WHERE kind = 'commune' AND (valid_until IS NULL OR valid_until > danvan.today())
                    ORDER BY (SELECT count(*) FROM danvan.models AS m WHERE m.unit_id = units.id) DESC, id LIMIT 1) AS commune,
                   (SELECT max(id) FROM danvan.models) AS model, (SELECT min(id) FROM danvan.inspection_plans WHERE status = 'scheduled') AS plan,
                   (SELECT max(id) FROM kheo.job_history) AS job
            """
        ).single()
        let province: Int64 = try ids.decode("province"), commune: Int64 = try ids.decode("commune")
        let model: Int64 = try ids.decode("model"), plan: Int64 = try ids.decode("plan"), job: Int64 = try ids.decode("job")
        let official = try APITokens().create(unit: province, role: .editor, label: "bench", on: scratch)
        let communeEditor = try APITokens().create(unit: commune, role: .editor, label: "bench", on: scratch)
        let operatorToken = try APITokens().create(unit: nil, role: .operator, label: "bench", on: scratch)

        // The server is stopped by cancelling it, which its framework logs as an error.
        var quiet = logger
        quiet.logLevel = .critical
        let server = APIServer(configuration: .init(port: 0, connections: 8), database: database, publicKinds: [:], logger: quiet)
        let port = PortBox()
        let task = Task { try await server.run { bound in port.set(bound) } }
        defer { task.cancel() }
        guard let bound = port.wait(seconds: 30) else { throw ConsoleBenchError.serverDidNotStart }
        let base = "http://127.0.0.1:\(bound)"
        let pages: [(String, String, String)] = [
            ("unit (province)", "/console/units/\(province)", official.token),
            ("unit (commune)", "/console/units/\(commune)", communeEditor.token),
            ("inbox", "/console/inbox?unit=\(province)", official.token),
            ("models", "/console/models?unit=\(province)", official.token),
            ("model", "/console/models/\(model)", official.token),
            ("register form", "/console/models/new?unit=\(commune)", communeEditor.token),
            ("inspections", "/console/inspections?unit=\(province)", official.token),
            ("calendar", "/console/inspections/\(plan)", official.token),
            ("deadlines", "/console/deadlines?unit=\(province)", official.token),
            ("statistics", "/console/statistics?unit=\(province)", official.token),
            ("reports", "/console/reports?unit=\(province)", official.token),
            ("ops overview", "/console/ops", operatorToken.token),
            ("ops queues", "/console/ops/queues", operatorToken.token),
            ("ops jobs", "/console/ops/jobs", operatorToken.token),
            ("ops jobs discarded", "/console/ops/jobs?state=discarded", operatorToken.token),
            ("ops jobs by kind", "/console/ops/jobs?kind=report.generate", operatorToken.token),
            ("ops jobs by unit", "/console/ops/jobs?unit=\(commune)", operatorToken.token),
            ("ops job", "/console/ops/jobs/\(job)", operatorToken.token),
            ("ops periodic", "/console/ops/periodic", operatorToken.token),
            ("ops nodes", "/console/ops/nodes", operatorToken.token),
        ]
        var sessions: [String: BenchBrowser] = [:]
        var results: [BenchReport.ConsolePages.Page] = []
        // The operators' charts are counted by a thread the first operator page starts;
        // its first count reads the whole day (here a million jobs) once. Time it, and
        // time the pages after it, as operators see them from then on.
        let operatorBrowser = try BenchBrowser(base: base, token: operatorToken.token)
        sessions[operatorToken.token] = operatorBrowser
        let fillStart = DispatchTime.now().uptimeNanoseconds
        var countsReady: Double?
        for _ in 0..<600 {
            let (_, page) = try operatorBrowser.page("/console/ops")
            if page.contains("Đếm lúc ") {
                countsReady = Double(DispatchTime.now().uptimeNanoseconds - fillStart) / 1e9
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        progress("console pages: \(pages.count) pages × \(sizes.consoleRequests) requests each, one at a time")
        for (label, path, token) in pages {
            let browser = try sessions[token] ?? BenchBrowser(base: base, token: token)
            sessions[token] = browser
            for _ in 0..<5 { _ = try browser.get(path) }
            var times: [Double] = []
            for _ in 0..<sizes.consoleRequests {
                let start = DispatchTime.now().uptimeNanoseconds
                let status = try browser.get(path)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                guard status == 200 else { throw ConsoleBenchError.pageFailed(path, status) }
            }
            times.sort()
            results.append(.init(page: label, path: path, p50Milliseconds: Self.percentile(times, 0.5), p95Milliseconds: Self.percentile(times, 0.95), maxMilliseconds: times.last ?? 0))
        }
        return BenchReport.ConsolePages(
            finishedJobs: sizes.finishedBeside, requestsPerPage: sizes.consoleRequests, pages: results, target: 50, countsReadySeconds: countsReady
        )
    }
}

enum ConsoleBenchError: Error, CustomStringConvertible {
    case serverDidNotStart
    case pageFailed(String, Int)
    case signIn(String)

    var description: String {
        switch self {
        case .serverDidNotStart: "the console's server did not start within 30 s"
        case .pageFailed(let path, let status): "\(path) answered \(status), not 200"
        case .signIn(let why): "signing in to the console failed: \(why)"
        }
    }
}

/// The port the bench's server bound, handed from its task to the bench's thread.
final class PortBox: @unchecked Sendable {
    private let lock = NSCondition()
    private var port: Int?

    func set(_ value: Int) {
        lock.lock()
        port = value
        lock.broadcast()
        lock.unlock()
    }

    func wait(seconds: Double) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        let deadline = Date().addingTimeInterval(seconds)
        while port == nil, lock.wait(until: deadline) {}
        return port
    }
}

/// A signed-in browser for the bench: the session cookie, no redirects followed, one
/// request at a time.
final class BenchBrowser: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    private let base: String
    private var cookie = ""
    private lazy var session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        return URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }()

    init(base: String, token: String) throws {
        self.base = base
        super.init()
        let (_, form, headers) = try request("GET", "/console/sign-in", body: nil)
        guard let nonce = Self.cookie("kheo_signin", in: headers),
              let range = form.range(of: #"name="_csrf" value="([^"]*)""#, options: .regularExpression)
        else { throw ConsoleBenchError.signIn("no sign-in form") }
        let csrf = form[range].dropFirst(#"name="_csrf" value=""#.count).dropLast()
        cookie = "kheo_signin=\(nonce)"
        let (status, _, signedIn) = try request("POST", "/console/sign-in", body: "_csrf=\(csrf)&token=\(token)")
        guard status == 303, let secret = Self.cookie("kheo_session", in: signedIn) else { throw ConsoleBenchError.signIn("answered \(status)") }
        cookie = "kheo_session=\(secret)"
    }

    func get(_ path: String) throws -> Int { try request("GET", path, body: nil).0 }

    /// The status and the page's text.
    func page(_ path: String) throws -> (Int, String) {
        let (status, text, _) = try request("GET", path, body: nil)
        return (status, text)
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
        completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }

    private func request(_ method: String, _ path: String, body: String?) throws -> (Int, String, String) {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        if !cookie.isEmpty { request.setValue(cookie, forHTTPHeaderField: "Cookie") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Int, String, String)?
        nonisolated(unsafe) var failure: (any Error)?
        session.dataTask(with: request) { data, response, error in
            if let error { failure = error }
            let http = response as? HTTPURLResponse
            result = (http?.statusCode ?? 0, String(decoding: data ?? Data(), as: UTF8.self), http?.value(forHTTPHeaderField: "Set-Cookie") ?? "")
            done.signal()
        }.resume()
        done.wait()
        if let failure { throw failure }
        return result ?? (0, "", "")
    }

    private static func cookie(_ name: String, in header: String) -> String? {
        guard let range = header.range(of: "\(name)=([^;,]+)", options: .regularExpression) else { return nil }
        return String(header[range].dropFirst(name.count + 1))
    }
}
