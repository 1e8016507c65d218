import DanVan
import Foundation
import KheoAPI
import KheoTesting
import PostgresClient
import Testing

@Suite("HTTP API: listing, control, queues")
struct ControlAPITests {
    /// Every path of the document, asked with a method it does not take, answers 405
    /// naming exactly the methods the document gives it, as the routes registered them.
    /// A literal path beside a template (/v1/units/import beside /v1/units/{unitId})
    /// names its own.
    @Test func aMethodAPathDoesNotTakeIsRefusedWithAllow() async throws {
        try await APIHarness.with { api in
            let operator_ = try api.operatorToken()
            var documented: [(path: String, methods: Set<String>)] = []
            var inPaths = false
            for line in String(decoding: try APIServer.document(), as: UTF8.self).split(separator: "\n") {
                if line == "paths:" { inPaths = true; continue }
                guard inPaths else { continue }
                if !line.hasPrefix(" ") { break }
                if line.hasPrefix("  /"), line.hasSuffix(":") {
                    documented.append((String(line.dropFirst(2).dropLast()), []))
                } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                    let method = line.trimmingPrefix("    ").dropLast().uppercased()
                    if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(method) { documented[documented.count - 1].methods.insert(method) }
                }
            }
            #expect(documented.count > 20)
            for (path, methods) in documented {
                let concrete = path.replacing(/\{[^}]+\}/, with: "1")
                let other = try #require(["PUT", "DELETE", "PATCH", "POST", "GET"].first { !methods.contains($0) })
                let reply = try await api.request(other, concrete, token: operator_)
                #expect(reply.status == 405, "\(other) \(concrete): \(reply.status) \(reply.text)")
                let allowed = Set((reply.headers["allow"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                #expect(allowed == methods, "\(other) \(concrete): Allow \(allowed), the document says \(methods)")
            }
        }
    }

    @Test func pagesAreStableUnderInsertsAndScopedToTheUnit() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let communeA = try api.token(units.communeA, .editor)
            let communeB = try api.token(units.communeB, .editor)
            let mine = try await api.enqueue(5, token: communeA)
            _ = try await api.enqueue(3, token: communeB)

            var seen: [Int] = []
            var cursor: Int?
            var pages = 0
            repeat {
                let reply = try await api.request("GET", "/v1/jobs?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: communeA)
                try #require(reply.status == 200, "\(reply.text)")
                seen += (reply.json["jobs"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                cursor = reply.json["nextCursor"] as? Int
                pages += 1
                // New jobs arriving between pages land before the first page, never in the next.
                if pages == 1 { _ = try await api.enqueue(4, token: communeA) }
            } while cursor != nil && pages < 10
            #expect(seen == mine.sorted(by: >), "each of commune A's first jobs once, newest first, none of B's: \(seen)")
            #expect(pages == 3)

            let district = try api.token(units.district, .viewer)
            let all = try await api.request("GET", "/v1/jobs?limit=200", token: district)
            #expect((all.json["jobs"] as? [Any])?.count == 12, "the district sees both communes' jobs")
            let filtered = try await api.request("GET", "/v1/jobs?state=completed", token: district)
            #expect((filtered.json["jobs"] as? [Any])?.isEmpty == true)
            let bad = try await api.request("GET", "/v1/jobs?state=sleeping", token: district)
            #expect(bad.status == 400 && bad.isProblem)
            let tooMany = try await api.request("GET", "/v1/jobs?limit=100000", token: district)
            #expect(tooMany.status == 400 && tooMany.isProblem, "\(tooMany.status) \(tooMany.text)")
        }
    }

    @Test func cancelAndRetryWithinTheUnit() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let communeA = try api.token(units.communeA, .editor)
            let id = try #require(try await api.enqueue(1, token: communeA).first)
            let outsider = try await api.request("POST", "/v1/jobs/\(id)/cancel", token: try api.token(units.communeB, .admin))
            #expect(outsider.status == 404 && outsider.isProblem, "another commune cannot touch it")
            #expect(try await api.request("POST", "/v1/jobs/\(id)/cancel", token: try api.token(units.communeA, .viewer)).status == 403)
            let cancelled = try await api.request("POST", "/v1/jobs/\(id)/cancel", token: communeA)
            #expect(cancelled.status == 200 && cancelled.json["outcome"] as? String == "cancelled", "\(cancelled.text)")
            let again = try await api.request("POST", "/v1/jobs/\(id)/cancel", token: communeA)
            #expect(again.status == 409 && again.isProblem && (again.json["detail"] as? String)?.contains("already") == true, "\(again.text)")
            let retried = try await api.request("POST", "/v1/jobs/\(id)/retry", token: communeA)
            #expect(retried.status == 200 && retried.json["outcome"] as? String == "retried", "\(retried.text)")
            let state = try api.db.pool.query("SELECT state::text AS state FROM kheo.all_jobs WHERE id = $1", Int64(id)).single().decode("state", as: String.self)
            #expect(state == "available")
            #expect(try await api.request("POST", "/v1/jobs/424242/retry", token: communeA).status == 404)
        }
    }

    @Test func queuesAreListedByAnyTokenAndAdministeredByOperators() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let editor = try api.token(units.communeA, .editor)
            _ = try await api.enqueue(2, token: editor)
            let list = try await api.request("GET", "/v1/queues", token: try api.token(units.communeA, .viewer))
            let queue = try #require((list.json["queues"] as? [[String: Any]])?.first { $0["name"] as? String == "default" })
            #expect(queue["available"] as? Int == 2 && queue["paused"] as? Bool == false)
            let refused = try await api.request("POST", "/v1/queues/default/pause", token: editor)
            #expect(refused.status == 403 && refused.isProblem)
            let unitAdmin = try await api.request("POST", "/v1/queues/default/pause", token: try api.token(units.district, .admin))
            #expect(unitAdmin.status == 403 && unitAdmin.isProblem, "a unit's admin does not stop the province's queue: \(unitAdmin.text)")
            let admin = try api.operatorToken()
            let paused = try await api.request("POST", "/v1/queues/default/pause", token: admin)
            #expect(paused.status == 200 && paused.json["paused"] as? Bool == true, "\(paused.text)")
            let resumed = try await api.request("POST", "/v1/queues/default/resume", token: admin)
            #expect(resumed.status == 200 && resumed.json["paused"] as? Bool == false)
            #expect(try await api.request("POST", "/v1/queues/nowhere/pause", token: admin).status == 404)
            let badName = try await api.request("POST", "/v1/queues/x;DROP%20TABLE/pause", token: admin)
            #expect(badName.status == 400 && badName.isProblem, "\(badName.text)")
            #expect(try await api.request("GET", "/metrics").status == 401, "metrics need a token")
            #expect(try await api.request("GET", "/metrics", token: try api.token(units.district, .admin)).status == 403, "an operator's")
            let metrics = try await api.request("GET", "/metrics", token: admin)
            #expect(metrics.status == 200 && metrics.text.contains("hb_request"), "the API's request metrics: \(metrics.text.prefix(500))")
        }
    }
}
