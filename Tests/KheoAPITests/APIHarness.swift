import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import DanVan
import Kheo
import KheoAPI
import KheoTesting
import Logging
import PostgresClient
import Testing

/// A real `APIServer` on a free port of 127.0.0.1, over a test database, and a small
/// HTTP client for it.
struct APIHarness: Sendable {
    let db: TestDatabase
    let base: URL

    struct Reply: Sendable {
        let status: Int
        let contentType: String
        let body: Data
        /// Response headers, names in lower case.
        var headers: [String: String] = [:]
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }
        var isProblem: Bool { contentType.hasPrefix("application/problem+json") && json["status"] as? Int == status && json["detail"] is String }
    }

    /// The server runs as a `kheo serve` process of its own: inside the test process it
    /// would share Swift's cooperative threads with tests that block them, and stall
    /// under load (a CI run saw schemathesis time out reading /openapi.yaml).
    static func with(
        maxBodyBytes: Int = 64 * 1024, serveArguments: [String] = [], _ body: @Sendable (APIHarness) async throws -> Void
    ) async throws {
        try await TestDatabase.with(schema: .binary) { db in
            let (serve, bound) = try await startServe(
                db, ["--max-body", "\(maxBodyBytes)", "--connections", "8"] + serveArguments
            )
            defer {
                serve.send(SIGTERM)
                _ = try? serve.wait(timeout: .seconds(20))
            }
            try await body(APIHarness(db: db, base: URL(string: "http://127.0.0.1:\(bound)")!))
        }
    }

    /// Starts `kheo serve --port 0` with `arguments` on `db` and reads the port it
    /// announces.
    static func startServe(_ db: TestDatabase, _ arguments: [String], environment: [String: String]? = nil) async throws -> (KheoProcess, Int) {
        try startServe(arguments, environment: environment ?? ["DATABASE_URL": db.url])
    }

    /// `kheo serve` on a free port, once it says where it listens.
    static func startServe(_ arguments: [String], environment: [String: String]) throws -> (KheoProcess, Int) {
        let serve = try KheoProcess.start(["serve", "--port", "0", "--log-level", "notice"] + arguments, environment: environment)
        for _ in 0..<400 {
            if let range = serve.output.range(of: #"url=http://127\.0\.0\.1:(\d+)"#, options: .regularExpression),
               let port = Int(serve.output[range].split(separator: ":").last ?? "") {
                return (serve, port)
            }
            // Polls the child's output for the address it bound: its only report.
            Thread.sleep(forTimeInterval: 0.05)
        }
        serve.send(SIGKILL)
        throw TestHarnessError("kheo serve did not start: \(serve.output.suffix(2000))")
    }

    func request(
        _ method: String, _ path: String, token: String? = nil, body: Data? = nil, contentType: String = "application/json",
        headers: [String: String] = [:]
    ) async throws -> Reply {
        var request = URLRequest(url: URL(string: path, relativeTo: base)!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        var headers: [String: String] = [:]
        for (name, value) in http?.allHeaderFields ?? [:] { headers["\(name)".lowercased()] = "\(value)" }
        return Reply(status: http?.statusCode ?? 0, contentType: http?.value(forHTTPHeaderField: "Content-Type") ?? "", body: data, headers: headers)
    }

    func post(_ path: String, token: String?, json: String) async throws -> Reply {
        try await request("POST", path, token: token, body: Data(json.utf8))
    }

    /// Whether a token is refused (401) within `limit`, asking every few milliseconds.
    func refusedWithin(_ limit: Duration, token: String) async throws -> Bool {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            if try await request("GET", "/v1/jobs?limit=1", token: token).status == 401 { return true }
            // Polls: a revoked token reaches the server's cache by NOTIFY, unseen by clients.
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    /// The ids a POST /v1/jobs answered with.
    func enqueue(_ count: Int, token: String, kind: String = "kheo.noop") async throws -> [Int] {
        let jobs = Array(repeating: "{\"kind\": \"\(kind)\"}", count: count).joined(separator: ", ")
        let reply = try await post("/v1/jobs", token: token, json: "{\"jobs\": [\(jobs)]}")
        try #require(reply.status == 201, "\(reply.text)")
        return (reply.json["ids"] as? [Any])?.compactMap { $0 as? Int } ?? []
    }

    func jobCount() throws -> Int64 {
        try db.pool.query("SELECT count(*) AS n FROM kheo.all_jobs").single().decode("n")
    }

    /// A province with a district and two communes, and tokens for each.
    struct Units: Sendable {
        let district: Int64
        let communeA: Int64
        let communeB: Int64
    }

    func units() throws -> Units {
        let units = UnitDirectory()
        let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
        let district = try units.create(.district, named: "Càng Long", under: province.id, on: db.pool)
        return Units(
            district: district.id,
            communeA: try units.create(.commune, named: "Mỹ Cẩm", under: district.id, on: db.pool).id,
            communeB: try units.create(.commune, named: "An Trường", under: district.id, on: db.pool).id
        )
    }

    /// Runs the domain's queue until it is empty, as a worker would. The node blocks
    /// while it waits, so it waits on a thread of its own, not on Swift's pool.
    func drainDomainQueue() async throws {
        var registry = JobRegistry()
        DanVanJobs.register(in: &registry)
        let node = try WorkerNode(
            database: db.configuration, registry: registry,
            configuration: WorkerConfiguration(queues: DanVanJobs.queues(concurrency: 2), stopWhenEmpty: true)
        )
        try node.start()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
                node.wait()
                done.resume()
            }.start()
        }
    }

    func count(_ sql: String, _ parameters: any PostgresEncodable...) throws -> Int {
        Int(try db.pool.query(sql, parameters).single().decode(0, as: Int64.self))
    }

    func token(_ unit: Int64, _ role: Principal.Role) throws -> String {
        try APITokens().create(unit: unit, role: role, on: db.pool).token
    }

    /// A token for the people who run the system, tied to no unit.
    func operatorToken() throws -> String {
        try APITokens().create(unit: nil, role: .operator, on: db.pool).token
    }
}
