import DanVan
import Foundation
import Kheo
import KheoAPI
import KheoTesting
import PostgresClient
import Testing

/// The smaller doors: what the job door takes, how bodies are read, what refusals say.
@Suite("HTTP API: doors")
struct DoorsAPITests {
    /// Every kind the system enqueues for itself is refused at `POST /v1/jobs`, for
    /// every caller, whatever its args, naming the kind; nothing is stored.
    @Test func theSystemsOwnKindsAreNeverTakenOverHTTP() async throws {
        var registry = JobRegistry()
        BuiltinJobs.register(in: &registry)
        BuiltinJobs.registerTestKinds(in: &registry)
        DanVanJobs.register(in: &registry)
        let internalKinds = registry.kinds.filter { registry.publicKinds[$0] == nil }
        #expect(Set(internalKinds).isSuperset(of: [
            "notification.deliver", "deadline.scan", "deadline.remind", "deadline.escalate", "inspection.schedule", "statistics.regenerate",
            "report.generate", "kheo.sleep", "kheo.fail", "kheo.record",
        ]))
        try await APIHarness.with { api in
            let units = try api.units()
            let callers = [try api.token(units.communeA, .editor), try api.token(units.district, .admin), try api.operatorToken()]
            for kind in internalKinds {
                for (index, token) in callers.enumerated() {
                    let one = try await api.post("/v1/jobs", token: token, json: "{\"kind\": \"\(kind)\", \"args\": {\"unitID\": \(units.communeA)}}")
                    #expect(one.status == 400 && one.isProblem && one.text.contains(kind), "\(kind) by caller \(index): \(one.text)")
                    let keyed = try await api.request(
                        "POST", "/v1/jobs", token: token, body: Data("{\"jobs\": [{\"kind\": \"kheo.noop\"}, {\"kind\": \"\(kind)\"}]}".utf8),
                        headers: ["Idempotency-Key": "k-\(kind)-\(index)"]
                    )
                    #expect(keyed.status == 400 && keyed.isProblem && keyed.text.contains(kind), "\(kind) in a keyed batch: \(keyed.text)")
                }
            }
            #expect(try api.jobCount() == 0, "nothing stored")
        }
    }

    @Test func aPublicKindStaysInItsQueueAndWithinTheCallersUnits() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let communeA = try api.token(units.communeA, .editor)
            let outside = try await api.post("/v1/jobs", token: communeA, json: "{\"kind\": \"webhook.ping\", \"args\": {\"unitID\": \(units.communeB)}}")
            #expect(outside.status == 404 && outside.isProblem && outside.text.contains("webhook.ping") && !outside.text.contains("An Trường"), "\(outside.text)")
            let above = try await api.post("/v1/jobs", token: communeA, json: "{\"kind\": \"webhook.ping\", \"args\": {\"unitID\": \(units.district)}}")
            #expect(above.status == 404, "nor the unit above: \(above.text)")
            let batch = try await api.post(
                "/v1/jobs", token: communeA,
                json: "{\"jobs\": [{\"kind\": \"webhook.ping\", \"args\": {\"unitID\": \(units.communeA)}}, {\"kind\": \"webhook.ping\", \"args\": {\"unitID\": \(units.communeB)}}]}"
            )
            #expect(batch.status == 404 && batch.text.contains("jobs[1]"), "one outside refuses the batch: \(batch.text)")
            for args in [#"{}"#, #"{"unitID": "12"}"#, #"{"unitID": true}"#, #"{"unitID": 1.5}"#, #"{"unitID": -3}"#] {
                let bad = try await api.post("/v1/jobs", token: communeA, json: "{\"kind\": \"webhook.ping\", \"args\": \(args)}")
                #expect(bad.status == 400 && bad.text.contains("unitID"), "\(args): \(bad.text)")
            }
            let elsewhere = try await api.post("/v1/jobs", token: communeA, json: #"{"kind": "kheo.noop", "queue": "danvan"}"#)
            #expect(elsewhere.status == 400 && (elsewhere.json["detail"] as? String)?.contains("\"default\"") == true, "a kind runs in its own queue: \(elsewhere.text)")
            #expect(try api.jobCount() == 0)
            let own = try await api.post("/v1/jobs", token: communeA, json: "{\"kind\": \"webhook.ping\", \"args\": {\"unitID\": \(units.communeA)}}")
            #expect(own.status == 201, "\(own.text)")
            #expect(try api.count("SELECT count(*) FROM kheo.all_jobs WHERE kind = 'webhook.ping' AND queue = 'danvan' AND tags = ARRAY[$1]", "unit:\(units.communeA)") == 1)
        }
    }

    /// A key twice in one object means different things to different readers; the
    /// API refuses it on every path, at any depth, escaped or not.
    @Test func aRepeatedKeyIsRefusedEverywhere() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let token = try api.token(units.communeA, .admin)
            let bodies: [(String, String, String)] = [
                ("POST", "/v1/jobs", "{\"kind\": \"kheo.noop\", \"kind\": \"webhook.ping\"}"),
                ("POST", "/v1/jobs", "{\"jobs\": [{\"kind\": \"kheo.noop\", \"args\": {\"a\": 1, \"a\": 2}}]}"),
                ("POST", "/v1/deadlines", "{\"unitId\": \(units.communeA), \"unitId\": \(units.communeB), \"kind\": \"other\", \"title\": \"x\", \"due\": \"15/06/2025\"}"),
                ("POST", "/v1/deadlines", "{\"unitId\": \(units.communeA), \"kind\": \"other\", \"title\": \"x\", \"due\": \"15/06/2025\", \"\\u0075nitId\": \(units.communeB)}"),
                ("PUT", "/v1/units/\(units.communeA)/webhook", #"{"url": "https://a.example", "secret": "0123456789abcdef", "url": "https://b.example"}"#),
            ]
            for (method, path, body) in bodies {
                let reply = try await api.request(method, path, token: token, body: Data(body.utf8))
                #expect(reply.status == 400 && reply.isProblem && reply.text.contains("appears twice"), "\(path) \(body): \(reply.text)")
            }
            let fine = try await api.post("/v1/jobs", token: token, json: #"{"kind": "kheo.noop", "args": {"a": {"x": 1}, "b": {"x": 2}, "list": [{"x": 1}, {"x": 2}]}}"#)
            #expect(fine.status == 201, "the same key in different objects is fine: \(fine.text)")
            #expect(try api.jobCount() == 1)
            #expect(try api.count("SELECT count(*) FROM danvan.deadlines") == 0 && (try api.count("SELECT count(*) FROM danvan.webhooks")) == 0)
        }
    }

    @Test func theContentTypeIsMatchedExactly() async throws {
        try await APIHarness.with { api in
            let token = try api.token(try api.units().communeA, .editor)
            let body = Data(#"{"kind": "kheo.noop"}"#.utf8)
            for type in ["text/plain", "application/jsonx", "text/json", "application/x-www-form-urlencoded", "application/json; charset=latin1"] {
                let reply = try await api.request("POST", "/v1/jobs", token: token, body: body, contentType: type)
                #expect(reply.status == 415 && reply.isProblem, "\(type): \(reply.status) \(reply.text)")
            }
            for type in ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"] {
                #expect(try await api.request("POST", "/v1/jobs", token: token, body: body, contentType: type).status == 201, "\(type)")
            }
            #expect(try api.jobCount() == 3)
        }
    }

    /// No body is read before the token is checked, and a body that trickles in too
    /// slowly is refused with 408.
    @Test func aBodyIsReadOnlyForAValidTokenAndOnlyForSoLong() async throws {
        try await APIHarness.with(serveArguments: ["--body-timeout", "2"]) { api in
            let token = try api.token(try api.units().communeA, .editor)
            let url = api.base
            let reply = try RawHTTP.send(
                host: url.host ?? "127.0.0.1", port: url.port ?? 0,
                head: "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer kheo_nobody\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
            )
            #expect(reply.hasPrefix("HTTP/1.1 401"), "refused on the headers, without waiting for a megabyte: \(reply.prefix(200))")
            let start = ContinuousClock.now
            let slow = try RawHTTP.send(
                host: url.host ?? "127.0.0.1", port: url.port ?? 0,
                head: "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"ki"
            )
            #expect(slow.hasPrefix("HTTP/1.1 408"), "\(slow.prefix(200))")
            #expect(ContinuousClock.now - start < .seconds(10))
            #expect(try api.jobCount() == 0)
        }
    }

    @Test func readinessSaysNothingOfTheDatabase() async throws {
        try await APIHarness.with { api in
            // Forget the newest migration's record: to this build, one is pending.
            try api.db.pool.query("DELETE FROM kheo.schema_migrations WHERE version = (SELECT max(version) FROM kheo.schema_migrations)")
            let reply = try await api.request("GET", "/readyz")
            #expect(reply.status == 503 && reply.isProblem && reply.json["detail"] as? String == "not ready", "\(reply.text)")
            #expect(!reply.text.contains("migration") && !reply.text.contains("postgres"))
        }
    }

    /// What a refused body says is in the document's terms: field paths and JSON
    /// types, never the server's Swift types or generated names.
    @Test func refusalsNameNoInternalType() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let token = try api.token(units.communeA, .editor)
            let bodies: [(String, String)] = [
                ("/v1/jobs", #"{"kind": 42}"#), ("/v1/jobs", #"{"kind": "kheo.noop", "priority": "high"}"#), ("/v1/jobs", #"{"jobs": "many"}"#),
                ("/v1/jobs", #"{"colour": "red"}"#), ("/v1/jobs", "[]"), ("/v1/jobs", #"{"kind": "kheo.noop", "runAt": "soon"}"#),
                ("/v1/deadlines", #"{"unitId": "one", "kind": "other", "title": "x", "due": "15/06/2025"}"#),
                ("/v1/deadlines", #"{"kind": "party", "title": "x", "due": "15/06/2025"}"#), ("/v1/models", #"{"campaignId": 1}"#),
                ("/v1/inspection-plans", #"{"issuingUnitId": 1, "title": "x", "firstDay": 5, "lastDay": "x", "targets": [true], "delegations": {}}"#),
            ]
            let internalNames = #"(Int64|Int32|Swift\.|Components|Schemas|Operations\.|CodingKeys|DecodingError|Optional<|Payload|OpenAPIRuntime)"#
            for (path, body) in bodies {
                let reply = try await api.post(path, token: token, json: body)
                #expect(reply.status == 400 && reply.isProblem, "\(path) \(body): \(reply.text)")
                #expect(reply.text.range(of: internalNames, options: .regularExpression) == nil, "\(path) \(body) names an internal type: \(reply.text)")
            }
            let query = try await api.request("GET", "/v1/jobs?limit=many", token: token)
            #expect(query.status == 400 && query.text.range(of: internalNames, options: .regularExpression) == nil, "\(query.text)")
        }
    }
}

/// Writes a raw HTTP/1.1 request head (and whatever body bytes it carries) and reads
/// the answer until the server closes or 10 seconds pass.
enum RawHTTP {
    static func send(host: String, port: Int, head: String) throws -> String {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestHarnessError("socket() failed") }
        defer { close(socket) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestHarnessError("could not connect to \(host):\(port)") }
        let bytes = Array(head.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, 0) }
        var answer = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            answer += buffer[0..<count]
            if let text = String(bytes: answer, encoding: .utf8), text.contains("\r\n\r\n"), text.contains("}") { break }
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
