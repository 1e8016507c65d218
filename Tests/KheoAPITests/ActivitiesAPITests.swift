import DanVan
import Foundation
import KheoAPI
import KheoTesting
import Testing

@Suite("HTTP API: activities")
struct ActivitiesAPITests {
    @Test func activitiesAreRecordedListedAndKeptWithinTheirUnit() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let communeA = try api.token(units.communeA, .editor)
            let communeB = try api.token(units.communeB, .editor)
            let body = """
                {"unitId": \(units.communeA), "kind": "conference", "title": "Hội nghị sơ kết Quy chế dân chủ", "day": "12/03/2025", "sessions": 2, "attendees": 140}
                """
            let created = try await api.post("/v1/activities", token: communeA, json: body)
            #expect(created.status == 201 && created.json["sessions"] as? Int == 2 && created.json["attendees"] as? Int == 140, "\(created.text)")
            let document = try await api.post(
                "/v1/activities", token: communeA,
                json: "{\"unitId\": \(units.communeA), \"kind\": \"document\", \"title\": \"Kế hoạch số 12\", \"day\": \"02/05/2025\"}"
            )
            #expect(document.status == 201 && document.json["sessions"] as? Int == 1 && document.json["attendees"] as? Int == 0, "defaults")

            let march = try await api.request("GET", "/v1/activities?from=01/03/2025&to=31/03/2025", token: communeA)
            #expect((march.json["activities"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["conference"], "\(march.text)")
            let documents = try await api.request("GET", "/v1/activities?kind=document", token: communeA)
            #expect((documents.json["activities"] as? [[String: Any]])?.map { $0["title"] as? String } == ["Kế hoạch số 12"])
            let district = try api.token(units.district, .viewer)
            let paged = try await api.request("GET", "/v1/activities?limit=1", token: district)
            let cursor = try #require(paged.json["nextCursor"] as? Int, "two activities, one per page")
            let next = try await api.request("GET", "/v1/activities?limit=1&cursor=\(cursor)", token: district)
            #expect((next.json["activities"] as? [[String: Any]])?.first?["kind"] as? String == "conference" && next.json["nextCursor"] == nil)

            #expect((try await api.request("GET", "/v1/activities", token: communeB).json["activities"] as? [Any])?.isEmpty == true)
            #expect(try await api.request("GET", "/v1/activities?unit=\(units.communeA)", token: communeB).status == 404)
            #expect(try await api.post("/v1/activities", token: communeB, json: body).status == 404)
            #expect(try await api.request("GET", "/v1/activities?from=2025-03-01", token: communeA).status == 400)
            for bad in [body.replacingOccurrences(of: "\"sessions\": 2", with: "\"sessions\": 0"),
                        body.replacingOccurrences(of: "\"attendees\": 140", with: "\"attendees\": -1"),
                        body.replacingOccurrences(of: "\"conference\"", with: "\"party\"")] {
                let refused = try await api.post("/v1/activities", token: communeA, json: bad)
                #expect(refused.status == 400 && refused.isProblem, "\(refused.text)")
            }
            #expect(try api.count("SELECT count(*) FROM danvan.activities") == 2)
            let sql = "Hội nghị'; DROP TABLE danvan.activities; --"
            let stored = try await api.post(
                "/v1/activities", token: communeA, json: "{\"unitId\": \(units.communeA), \"kind\": \"training\", \"title\": \"\(sql)\", \"day\": \"02/05/2025\"}"
            )
            #expect(stored.status == 201 && stored.json["title"] as? String == sql, "SQL metacharacters are only text: \(stored.text)")
            #expect(try api.count("SELECT count(*) FROM danvan.activities") == 3)
        }
    }
}
