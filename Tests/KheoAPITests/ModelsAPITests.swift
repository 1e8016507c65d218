import DanVan
import Foundation
import KheoAPI
import KheoTesting
import PostgresClient
import Testing

@Suite("HTTP API: campaigns and models")
struct ModelsAPITests {
    /// A campaign of the district for its communes: registrations 01/01–31/03/2025, one
    /// collective and two individual models per commune.
    func campaign(_ api: APIHarness, _ units: APIHarness.Units) throws -> Int64 {
        let registry = ModelRegistry()
        let campaign = try registry.createCampaign(
            named: "Dân vận khéo 2025", unit: units.district, from: try CivilDate(parsing: "01/01/2025"), to: try CivilDate(parsing: "31/12/2025"),
            on: api.db.pool
        )
        try registry.setWindow(
            campaign: campaign, unitKind: .commune, opens: try CivilDate(parsing: "01/01/2025"), closes: try CivilDate(parsing: "31/03/2025"),
            collectiveQuota: 1, individualQuota: 2, on: api.db.pool
        )
        return campaign
    }

    func registration(_ campaign: Int64, _ unit: Int64, title: String, holder: String = "collective", day: String = "15/02/2025") -> String {
        """
        {"campaignId": \(campaign), "unitId": \(unit), "field": "economy", "holder": "\(holder)", "holderName": "Hội Nông dân xã", "title": "\(title)", "day": "\(day)"}
        """
    }

    @Test func aCommuneRegistersAndMovesItsModelWithinItsWindowAndQuota() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let campaign = try campaign(api, units)
            let communeA = try api.token(units.communeA, .editor)
            let seen = try await api.request("GET", "/v1/campaigns", token: communeA)
            #expect((seen.json["campaigns"] as? [[String: Any]])?.first?["id"] as? Int == Int(campaign), "a commune sees its district's campaign: \(seen.text)")

            let created = try await api.post("/v1/models", token: communeA, json: registration(campaign, units.communeA, title: "Nuôi bò vỗ béo"))
            #expect(created.status == 201 && created.json["state"] as? String == "registered" && created.json["registeredOn"] as? String == "15/02/2025", "\(created.text)")
            let id = try #require(created.json["id"] as? Int)
            let inbox = try await api.request("GET", "/v1/units/\(units.communeA)/inbox", token: communeA)
            #expect((inbox.json["notifications"] as? [[String: Any]])?.first?["kind"] as? String == "model.registered")

            // The window's 1 collective model is a target, not a ceiling: a second is welcome.
            let second = try await api.post("/v1/models", token: communeA, json: registration(campaign, units.communeA, title: "Mô hình thứ hai"))
            #expect(second.status == 201, "registering beyond the target is accepted: \(second.text)")
            let refusals: [(String, String)] = [
                (registration(campaign, units.communeA, title: "Đăng ký muộn", holder: "individual", day: "01/04/2025"), "outside the window"),
                (registration(campaign, units.communeA, title: "nuôi bò vỗ béo", holder: "individual"), "has already registered"),
            ]
            for (body, reason) in refusals {
                let refused = try await api.post("/v1/models", token: communeA, json: body)
                #expect(refused.status == 409 && refused.isProblem && (refused.json["detail"] as? String)?.contains(reason) == true, "\(refused.text)")
            }
            #expect(try api.count("SELECT count(*) FROM danvan.models") == 2, "refusals store nothing")

            let moved = try await api.post("/v1/models/\(id)/transition", token: communeA, json: #"{"to": "implementing", "day": "01/03/2025"}"#)
            #expect(moved.status == 200 && moved.json["state"] as? String == "implementing", "\(moved.text)")
            // Judging the model is the campaign's side's, never the registrant's.
            for state in ["evaluated", "recognised", "commended"] {
                let own = try await api.post("/v1/models/\(id)/transition", token: communeA, json: "{\"to\": \"\(state)\", \"day\": \"01/03/2025\"}")
                #expect(own.status == 403 && own.isProblem, "a commune does not judge its own model (\(state)): \(own.text)")
            }
            let judge = try api.token(units.district, .editor)
            let skipped = try await api.post("/v1/models/\(id)/transition", token: judge, json: #"{"to": "recognised", "day": "01/03/2025"}"#)
            #expect(skipped.status == 409 && (skipped.json["detail"] as? String)?.contains("next: evaluated") == true, "\(skipped.text)")
            let evaluated = try await api.post("/v1/models/\(id)/transition", token: judge, json: #"{"to": "evaluated", "day": "02/03/2025"}"#)
            #expect(evaluated.status == 200 && evaluated.json["state"] as? String == "evaluated", "the district, which runs the campaign, does: \(evaluated.text)")

            let district = try api.token(units.district, .viewer)
            let listed = try await api.request("GET", "/v1/models?state=evaluated&field=economy&campaign=\(campaign)", token: district)
            #expect((listed.json["models"] as? [[String: Any]])?.map { $0["id"] as? Int } == [id], "the district sees its communes' models")
            #expect(try await api.post("/v1/models", token: district, json: registration(campaign, units.communeA, title: "X")).status == 403, "a viewer cannot register")
        }
    }

    @Test func anotherCommuneSeesAndChangesNothing() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let campaign = try campaign(api, units)
            let communeA = try api.token(units.communeA, .editor)
            let communeB = try api.token(units.communeB, .editor)
            let created = try await api.post("/v1/models", token: communeA, json: registration(campaign, units.communeA, title: "Chi hội phụ nữ tự quản"))
            let id = try #require(created.json["id"] as? Int)
            let read = try await api.request("GET", "/v1/models/\(id)", token: communeB)
            #expect(read.status == 404 && read.isProblem && !read.text.contains("Chi hội"), "\(read.text)")
            #expect(try await api.post("/v1/models/\(id)/transition", token: communeB, json: #"{"to": "implementing", "day": "01/03/2025"}"#).status == 404)
            #expect((try await api.request("GET", "/v1/models", token: communeB).json["models"] as? [Any])?.isEmpty == true)
            #expect(try await api.request("GET", "/v1/models?unit=\(units.communeA)", token: communeB).status == 404)
            let forA = try await api.post("/v1/models", token: communeB, json: registration(campaign, units.communeA, title: "Thay mặt xã khác"))
            #expect(forA.status == 404 && forA.isProblem)
            // Another district's campaign is named nowhere: the same 404 as none at all.
            let province = try #require(try UnitDirectory().find(units.district, on: api.db.pool)?.parentID)
            let elsewhere = try UnitDirectory().create(.district, named: "Cầu Kè", under: province, on: api.db.pool)
            let theirs = try ModelRegistry().createCampaign(
                named: "Chiến dịch riêng của Cầu Kè", unit: elsewhere.id, from: try CivilDate(parsing: "01/01/2025"),
                to: try CivilDate(parsing: "31/12/2025"), on: api.db.pool
            )
            let foreign = try await api.post("/v1/models", token: communeA, json: registration(theirs, units.communeA, title: "Lạc chỗ"))
            let missing = try await api.post("/v1/models", token: communeA, json: registration(999_999, units.communeA, title: "Lạc chỗ"))
            #expect(foreign.status == 404 && missing.status == 404 && !foreign.text.contains("Cầu Kè"), "\(foreign.text)")
            #expect(foreign.json["detail"] as? String == (missing.json["detail"] as? String)?.replacingOccurrences(of: "999999", with: "\(theirs)"))
            #expect(try api.count("SELECT count(*) FROM danvan.models") == 1)
            #expect(try api.count("SELECT count(*) FROM danvan.models WHERE state = 'registered'") == 1, "B's transition changed nothing")
        }
    }

    @Test func badRegistrationsAreRefusedAndRepeatsAreReplayed() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let campaign = try campaign(api, units)
            let communeA = try api.token(units.communeA, .editor)
            let good = registration(campaign, units.communeA, title: "Đường hoa nông thôn mới")
            let cases: [(String, String, Int)] = [
                ("malformed JSON", "{\"campaignId\": ", 400),
                ("an unknown field", good.replacingOccurrences(of: "\"economy\"", with: "\"sport\""), 400),
                ("a field the schema forbids", good.replacingOccurrences(of: "}", with: ", \"extra\": 1}"), 400),
                ("a string id", good.replacingOccurrences(of: "\"campaignId\": \(campaign)", with: "\"campaignId\": \"\(campaign)\""), 400),
                ("a control character", registration(campaign, units.communeA, title: "a\\u0007b"), 400),
                ("NUL", registration(campaign, units.communeA, title: "a\\u0000b"), 400),
                ("a day that does not exist", registration(campaign, units.communeA, title: "x", day: "30/02/2025"), 400),
                ("a campaign that does not exist", registration(987_654, units.communeA, title: "x"), 404),
            ]
            for (name, body, status) in cases {
                let reply = try await api.post("/v1/models", token: communeA, json: body)
                #expect(reply.status == status && reply.isProblem, "\(name): \(reply.status) \(reply.text)")
            }
            var invalidUTF8 = Data(good.replacingOccurrences(of: "Đường", with: "@@").utf8)
            let at = try #require(invalidUTF8.firstRange(of: Data("@@".utf8)))
            invalidUTF8.replaceSubrange(at, with: [0xC3, 0x28])
            let notUTF8 = try await api.request("POST", "/v1/models", token: communeA, body: invalidUTF8)
            #expect(notUTF8.status == 400 && notUTF8.isProblem, "\(notUTF8.text)")
            #expect(try api.count("SELECT count(*) FROM danvan.models") == 0)

            let sql = "Mô hình'); DELETE FROM danvan.models; --"
            let replies = try await withThrowingTaskGroup(of: APIHarness.Reply.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await api.request(
                            "POST", "/v1/models", token: communeA, body: Data(registration(campaign, units.communeA, title: sql).utf8),
                            headers: ["Idempotency-Key": "model-1"]
                        )
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(replies.map(\.status)) == [201], "\(replies.map(\.text))")
            #expect(Set(replies.compactMap { $0.json["id"] as? Int }).count == 1, "every repeat names the one model")
            #expect(replies.first?.json["title"] as? String == sql, "SQL metacharacters are only text")
            #expect(try api.count("SELECT count(*) FROM danvan.models") == 1)
            let reused = try await api.request(
                "POST", "/v1/models", token: communeA, body: Data(good.utf8), headers: ["Idempotency-Key": "model-1"]
            )
            #expect(reused.status == 409 && reused.isProblem)
        }
    }
}
