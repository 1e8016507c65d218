import DanVan
import Foundation
import KheoAPI
import KheoTesting
import PostgresClient
import Testing

@Suite("HTTP API: units, deadlines, inboxes")
struct DomainAPITests {
    @Test func unitsAreSeenOnlyWithinTheTokensSubtree() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let communeA = try api.token(units.communeA, .viewer)
            let district = try api.token(units.district, .viewer)
            let own = try await api.request("GET", "/v1/units/\(units.communeA)", token: communeA)
            #expect(own.status == 200 && own.json["name"] as? String == "Mỹ Cẩm" && own.json["kind"] as? String == "commune")
            let other = try await api.request("GET", "/v1/units/\(units.communeB)", token: communeA)
            #expect(other.status == 404 && other.isProblem && !other.text.contains("An Trường"), "nothing of commune B: \(other.text)")
            #expect(try await api.request("GET", "/v1/units/\(units.district)", token: communeA).status == 404, "nor of the unit above")
            let subtree = try await api.request("GET", "/v1/units/\(units.district)/subtree", token: district)
            #expect((subtree.json["units"] as? [[String: Any]])?.compactMap { $0["name"] as? String }.sorted() == ["An Trường", "Càng Long", "Mỹ Cẩm"])
        }
    }

    @Test func deadlinesAreCreatedMetAndWithdrawnWithTheirNotices() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let district = try api.token(units.district, .editor)
            let communeA = try api.token(units.communeA, .editor)
            let communeB = try api.token(units.communeB, .editor)
            let nfd = "Báo cáo sơ kết 6 tháng đầu năm 2025".decomposedStringWithCanonicalMapping
            let body = "{\"unitId\": \(units.communeA), \"kind\": \"six_month_review\", \"title\": \"\(nfd)\", \"due\": \"15/06/2025\"}"
            let created = try await api.post("/v1/deadlines", token: district, json: body)
            #expect(created.status == 201 && created.json["due"] as? String == "15/06/2025" && created.json["status"] as? String == "open", "\(created.text)")
            #expect(created.json["title"] as? String == "Báo cáo sơ kết 6 tháng đầu năm 2025", "stored in NFC")
            let id = try #require(created.json["id"] as? Int)

            let seenByB = try await api.request("GET", "/v1/deadlines", token: communeB)
            #expect((seenByB.json["deadlines"] as? [Any])?.isEmpty == true, "commune B sees none of A's deadlines")
            #expect(try await api.request("GET", "/v1/deadlines?unit=\(units.communeA)", token: communeB).status == 404)
            let seenByA = try await api.request("GET", "/v1/deadlines?status=open", token: communeA)
            #expect((seenByA.json["deadlines"] as? [[String: Any]])?.map { $0["id"] as? Int } == [id])
            #expect(try await api.post("/v1/deadlines/\(id)/meet", token: communeB, json: #"{"day": "10/06/2025"}"#).status == 404)

            let inbox = try await api.request("GET", "/v1/units/\(units.communeA)/inbox?unread=true", token: communeA)
            let notices = inbox.json["notifications"] as? [[String: Any]] ?? []
            #expect(notices.map { $0["kind"] as? String } == ["deadline.assigned"], "\(inbox.text)")
            let noticeID = try #require(notices.first?["id"] as? Int)
            #expect(try await api.request("POST", "/v1/notifications/\(noticeID)/read", token: communeB).status == 404)
            let read = try await api.request("POST", "/v1/notifications/\(noticeID)/read", token: communeA)
            #expect(read.status == 200 && read.json["readAt"] is String)
            let unread = try await api.request("GET", "/v1/units/\(units.communeA)/inbox?unread=true", token: communeA)
            #expect((unread.json["notifications"] as? [Any])?.isEmpty == true)

            let met = try await api.post("/v1/deadlines/\(id)/meet", token: communeA, json: #"{"day": "10/06/2025"}"#)
            #expect(met.status == 200 && met.json["status"] as? String == "met", "\(met.text)")
            let again = try await api.post("/v1/deadlines/\(id)/withdraw", token: district, json: "{}")
            #expect(again.status == 409 && again.isProblem && (again.json["detail"] as? String)?.contains("met") == true, "\(again.text)")
            let districtInbox = try await api.request("GET", "/v1/units/\(units.district)/inbox", token: district)
            #expect((districtInbox.json["notifications"] as? [[String: Any]])?.first?["kind"] as? String == "deadline.met", "the unit above hears")
        }
    }

    @Test func badDeadlinesAreRefusedAndStoreNothing() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let communeA = try api.token(units.communeA, .editor)
            let cases: [(String, String, Int)] = [
                ("a day that does not exist", "{\"unitId\": \(units.communeA), \"kind\": \"other\", \"title\": \"x\", \"due\": \"31/02/2025\"}", 400),
                ("a date written the other way", "{\"unitId\": \(units.communeA), \"kind\": \"other\", \"title\": \"x\", \"due\": \"2025-06-15\"}", 400),
                ("a control character", "{\"unitId\": \(units.communeA), \"kind\": \"other\", \"title\": \"a\\u0007b\", \"due\": \"15/06/2025\"}", 400),
                ("an unknown kind", "{\"unitId\": \(units.communeA), \"kind\": \"party\", \"title\": \"x\", \"due\": \"15/06/2025\"}", 400),
                ("a unit outside the token's", "{\"unitId\": \(units.communeB), \"kind\": \"other\", \"title\": \"x\", \"due\": \"15/06/2025\"}", 404),
                ("a unit that does not exist", "{\"unitId\": 987654, \"kind\": \"other\", \"title\": \"x\", \"due\": \"15/06/2025\"}", 404),
            ]
            for (name, body, status) in cases {
                let reply = try await api.post("/v1/deadlines", token: communeA, json: body)
                #expect(reply.status == status && reply.isProblem, "\(name): \(reply.status) \(reply.text)")
            }
            #expect(try api.db.pool.query("SELECT count(*) AS n FROM danvan.deadlines").single().decode("n", as: Int64.self) == 0)
            let sql = "Báo cáo'); DROP TABLE danvan.deadlines; --"
            let stored = try await api.post("/v1/deadlines", token: communeA, json: "{\"unitId\": \(units.communeA), \"kind\": \"other\", \"title\": \"\(sql)\", \"due\": \"15/06/2025\"}")
            #expect(stored.status == 201 && stored.json["title"] as? String == sql, "SQL metacharacters are only text")
            #expect(try api.db.pool.query("SELECT count(*) AS n FROM danvan.deadlines").single().decode("n", as: Int64.self) == 1)
        }
    }

    @Test func aRepeatedChangeWithItsKeyAnswersAsTheFirstTime() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let communeA = try api.token(units.communeA, .editor)
            let created = try await api.post(
                "/v1/deadlines", token: communeA, json: "{\"unitId\": \(units.communeA), \"kind\": \"other\", \"title\": \"Báo cáo\", \"due\": \"15/06/2025\"}"
            )
            let id = try #require(created.json["id"] as? Int)
            let meet = Data(#"{"day": "10/06/2025"}"#.utf8)
            let first = try await api.request("POST", "/v1/deadlines/\(id)/meet", token: communeA, body: meet, headers: ["Idempotency-Key": "meet-1"])
            let again = try await api.request("POST", "/v1/deadlines/\(id)/meet", token: communeA, body: meet, headers: ["Idempotency-Key": "meet-1"])
            #expect(first.status == 200 && again.status == 200 && again.json["status"] as? String == "met", "\(again.text)")
            #expect(try await api.request("POST", "/v1/deadlines/\(id)/meet", token: communeA, body: meet).status == 409, "without the key, a second meet is refused")
            let other = try await api.request(
                "POST", "/v1/deadlines/\(id)/meet", token: communeA, body: Data(#"{"day": "11/06/2025"}"#.utf8), headers: ["Idempotency-Key": "meet-1"]
            )
            #expect(other.status == 409 && other.isProblem, "the key with another body")
            #expect(try api.count("SELECT count(*) FROM danvan.notifications WHERE kind = 'deadline.met'") == 1, "the unit above heard once")
        }
    }
}
