import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import DanVan
import Kheo
@testable import KheoAPI
import KheoTesting
import PostgresClient
import Testing

/// A browser's view of the console, for tests: it keeps the console's cookies, does
/// not follow redirects (so a test sees each 303), and reads the CSRF token of the
/// last page it loaded.
final class ConsoleClient: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    let base: URL
    private(set) var cookies: [String: String] = [:]
    private lazy var session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        return URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }()

    struct Reply: Sendable {
        let status: Int
        let headers: [String: String]
        let body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        var location: String? { headers["location"] }
        /// The `_csrf` value of the first form on the page.
        var csrf: String? {
            guard let range = text.range(of: #"name="_csrf" value="([^"]*)""#, options: .regularExpression) else { return nil }
            return String(text[range].dropFirst(#"name="_csrf" value=""#.count).dropLast())
        }
    }

    init(base: URL) { self.base = base }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
        completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }

    func get(_ path: String) async throws -> Reply { try await send("GET", path, body: nil, contentType: nil) }

    /// Posts `fields` as a form; `csrf` is added as `_csrf` unless nil.
    func post(_ path: String, _ fields: [(String, String)], csrf: String?, headers: [String: String] = [:]) async throws -> Reply {
        var all = fields
        if let csrf { all.append(("_csrf", csrf)) }
        let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send("POST", path, body: Data(body.utf8), contentType: "application/x-www-form-urlencoded", headers: headers)
    }

    func send(_ method: String, _ path: String, body: Data?, contentType: String?, headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: URL(string: path, relativeTo: base)!)
        request.httpMethod = method
        request.httpBody = body
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        if !cookies.isEmpty { request.setValue(cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "), forHTTPHeaderField: "Cookie") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields { headers[String(describing: name).lowercased()] = String(describing: value) }
        // Set-Cookie may come folded into one header by Foundation: read every cookie.
        if let setCookie = http.value(forHTTPHeaderField: "Set-Cookie") {
            for cookie in HTTPCookie.cookies(withResponseHeaderFields: ["Set-Cookie": setCookie], for: request.url!) {
                if cookie.value.isEmpty { cookies[cookie.name] = nil } else { cookies[cookie.name] = cookie.value }
            }
        }
        return Reply(status: http.statusCode, headers: headers, body: data)
    }

    /// Signs in with `token`, as the sign-in form does; returns the final reply (303).
    @discardableResult
    func signIn(_ token: String) async throws -> Reply {
        let form = try await get("/console/sign-in")
        let reply = try await post("/console/sign-in", [("token", token), ("next", "/console/")], csrf: form.csrf)
        try #require(reply.status == 303, "sign-in answered \(reply.status): \(reply.text.prefix(500))")
        try #require(cookies[ConsoleServerCookie.session] != nil, "no session cookie after signing in")
        return reply
    }

    /// The CSRF token of the signed-in session (read from any page with a form).
    func sessionCSRF() async throws -> String {
        // Every page's banner has the sign-out form, which carries the token.
        let page = try await get("/console/reports")
        if let csrf = page.csrf { return csrf }
        let ops = try await get("/console/ops")
        return try #require(ops.csrf, "no form on /console/reports or /console/ops to read the CSRF token from")
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}

enum ConsoleServerCookie {
    static let session = "kheo_session"
}

/// A small province with one of every record the console shows, all of commune A:
/// the scope tests look at them from commune B, the browser tests use them as people
/// would.
struct ConsoleFixture: Sendable {
    let units: APIHarness.Units
    let province: Int64
    let campaign: Int64
    let model: Int64
    let modelTitle: String
    let evidence: Int64
    let notification: Int64
    let plan: Int64
    let visit: Int64
    let report: Int64
    /// A draft of commune A's annual report, signed, ready to issue.
    let document: Int64
    let period: Int64
    /// A job tagged with commune A's unit.
    let job: Int64
    /// A job that failed for good, for the operator to retry.
    let discardedJob: Int64

    static func seed(_ api: APIHarness) async throws -> ConsoleFixture {
        let pool = api.db.pool
        let directory = UnitDirectory()
        let province = try directory.create(.province, named: "Tỉnh Trà Vinh", under: nil, on: pool)
        let district = try directory.create(.district, named: "Huyện Càng Long", under: province.id, on: pool)
        let units = APIHarness.Units(
            district: district.id,
            communeA: try directory.create(.commune, named: "Xã Mỹ Cẩm", under: district.id, on: pool).id,
            communeB: try directory.create(.commune, named: "Xã An Trường", under: district.id, on: pool).id
        )
        let registry = ModelRegistry()
        let year = try CivilDate.today(on: pool).year
        let campaign = try registry.createCampaign(
            named: "Dân vận khéo năm \(year)", unit: units.district, from: try CivilDate(year: year, month: 1, day: 1),
            to: try CivilDate(year: year, month: 12, day: 31), on: pool
        )
        try registry.setWindow(
            campaign: campaign, unitKind: .commune, opens: try CivilDate(year: year, month: 1, day: 1), closes: try CivilDate(year: year, month: 12, day: 31),
            collectiveQuota: 5, individualQuota: 3, on: pool
        )
        let title = "Mô hình nuôi bò sinh sản của Chi hội Nông dân ấp Mỹ Cẩm A"
        let model = try registry.register(.init(
            campaignID: campaign, unitID: units.communeA, field: .economy, holder: .collective, holderName: "Chi hội Nông dân ấp Mỹ Cẩm A", title: title,
            day: try CivilDate(year: year, month: 2, day: 15)
        ), by: .unit(units.communeA, .editor), on: pool)
        let evidence = try pool.transaction { connection in
            try ModelRecords().attach(model.id, fileName: "bien-ban.pdf", contentType: "application/pdf", data: Data("%PDF-1.4 test".utf8), by: .system, in: connection).id
        }
        _ = try DeadlineBook().create(for: units.communeA, kind: .sixMonthReview, title: "Báo cáo sơ kết 6 tháng", due: try CivilDate(year: year, month: 6, day: 15), by: .system, on: pool)
        let notification: Int64 = try pool.query("SELECT id FROM danvan.notifications WHERE unit_id = $1 ORDER BY id LIMIT 1", units.communeA).single().decode("id")
        let submitted = try InspectionPlans().submit(InspectionPlan(
            issuingUnit: units.district,
            delegations: [.init(id: 1, name: "Đoàn kiểm tra số 1", leader: "Nguyễn Văn Bình", leaderPosition: "Trưởng Ban Dân vận Huyện ủy", members: ["Nguyễn Văn Bình", "Trần Thị Hoa"])],
            targets: [units.communeA], firstDay: try CivilDate(year: year + 1, month: 1, day: 5), lastDay: try CivilDate(year: year + 1, month: 1, day: 30)
        ), title: "Kế hoạch kiểm tra công tác dân vận năm \(year + 1)", on: pool)
        let period = try Periods().create(.year, named: "năm \(year)", from: try CivilDate(year: year, month: 1, day: 1), to: try CivilDate(year: year, month: 12, day: 31), on: pool)
        try pool.transaction { connection in _ = try StatisticsBuilder.regenerate(in: connection) }
        var options = EnqueueOptions(queue: DanVanJobs.queue)
        options.tags = ["unit:\(units.communeA)"]
        let job = try Producer().enqueue(ReportJobs.Generate(unitID: units.communeA, periodID: period.id), options: options, on: pool)
        try await api.drainDomainQueue()
        let visit: Int64 = try pool.query("SELECT id FROM danvan.inspection_visits WHERE plan_id = $1 ORDER BY id LIMIT 1", submitted.planID).single().decode("id")
        let report: Int64 = try pool.query("SELECT id FROM danvan.reports WHERE unit_id = $1 ORDER BY id LIMIT 1", units.communeA).single().decode("id")
        let document = try pool.transaction { connection in
            let draft = try DocumentRegistry().draft(DocumentRequest(kind: .reviewReport, unitID: units.communeA, periodID: period.id), in: connection)
            return try DocumentRegistry().edit(draft.id, parts: ["signer": "Nguyễn Văn An"], by: .system, in: connection).id
        }
        // A job that fails on its only attempt, run by a real worker.
        var failing = EnqueueOptions(queue: "console-test")
        failing.maxAttempts = 1
        let discarded = try Producer().enqueue(BuiltinJobs.Fail(times: 5), options: failing, on: pool)
        try await runWorker(api, queue: "console-test")
        return ConsoleFixture(
            units: units, province: province.id, campaign: campaign, model: model.id, modelTitle: title, evidence: evidence, notification: notification,
            plan: submitted.planID, visit: visit, report: report, document: document, period: period.id, job: job, discardedJob: discarded
        )
    }

    /// Runs `queue` with the built-in and test kinds until it is empty.
    static func runWorker(_ api: APIHarness, queue: String) async throws {
        var registry = JobRegistry()
        BuiltinJobs.register(in: &registry)
        BuiltinJobs.registerTestKinds(in: &registry)
        let node = try WorkerNode(
            database: api.db.configuration, registry: registry,
            configuration: WorkerConfiguration(queues: [.init(queue, concurrency: 4)], stopWhenEmpty: true)
        )
        try node.start()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
                node.wait()
                done.resume()
            }.start()
        }
    }

    /// The value of each path parameter of `ConsoleRoutes`, all of commune A.
    var parameters: [String: String] {
        [
            "unit": "\(units.communeA)", "notification": "\(notification)", "model": "\(model)", "evidence": "\(evidence)", "plan": "\(plan)",
            "visit": "\(visit)", "report": "\(report)", "document": "\(document)", "job": "\(job)", "queue": "console-test",
        ]
    }
}
