import DanVan
import Foundation
import KheoAPI
import KheoTesting
import Testing

@Suite("HTTP API: webhooks")
struct WebhooksAPITests {
    @Test func aUnitsAdminSetsReadsAndStopsItsEndpointAndNeverSeesTheSecretAgain() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let communeA = try api.token(units.communeA, .admin)
            let communeB = try api.token(units.communeB, .admin)
            let path = "/v1/units/\(units.communeA)/webhook"
            let none = try await api.request("GET", path, token: communeA)
            #expect(none.status == 404 && none.isProblem, "\(none.text)")
            let secret = "s3cret-of-my-comm-une"
            let set = try await api.request("PUT", path, token: communeA, body: Data(#"{"url": "https://xa-my-cam.example/hooks", "secret": "\#(secret)"}"#.utf8))
            #expect(set.status == 200 && set.json["url"] as? String == "https://xa-my-cam.example/hooks" && set.json["active"] as? Bool == true, "\(set.text)")
            #expect(!set.text.contains(secret), "the secret never comes back")
            let read = try await api.request("GET", path, token: communeA)
            #expect((read.json["deliveries"] as? [String: Any])?["pending"] as? Int == 0 && !read.text.contains(secret))

            #expect(try await api.request("GET", path, token: communeB).status == 404)
            #expect(try await api.request("PUT", path, token: communeB, body: Data(#"{"url": "https://evil.example", "secret": "0123456789abcdef"}"#.utf8)).status == 404)
            #expect(try await api.request("DELETE", path, token: communeB).status == 404)
            #expect(try await api.request("PUT", path, token: try api.token(units.communeA, .editor), body: Data(#"{"url": "https://a.example", "secret": "0123456789abcdef"}"#.utf8)).status == 403, "an admin's")
            for bad in [#"{"url": "ftp://xa.example", "secret": "0123456789abcdef"}"#, #"{"url": "https://xa.example", "secret": "short"}"#,
                        #"{"url": "https://xa.example/a b", "secret": "0123456789abcdef"}"#,
                        #"{"url": "http://[1::2/x", "secret": "0123456789abcdef"}"#, #"{"url": "https:///nohost", "secret": "0123456789abcdef"}"#, #"{"url": "https://xa.example"}"#,
                        #"{"url": "https://user:pass@xa.example/hook", "secret": "0123456789abcdef"}"#] {
                let refused = try await api.request("PUT", path, token: communeA, body: Data(bad.utf8))
                #expect(refused.status == 400 && refused.isProblem, "\(bad): \(refused.text)")
            }
            #expect(try api.count("SELECT count(*) FROM danvan.webhooks WHERE url = 'https://xa-my-cam.example/hooks'") == 1, "refusals changed nothing")

            // A token in the query is the receiver's secret too: only an admin sees it.
            let withToken = try await api.request("PUT", path, token: communeA, body: Data(#"{"url": "https://xa-my-cam.example/hooks?key=abc123#frag", "secret": "\#(secret)"}"#.utf8))
            #expect(withToken.status == 200 && withToken.json["url"] as? String == "https://xa-my-cam.example/hooks?key=abc123#frag")
            let viewed = try await api.request("GET", path, token: try api.token(units.communeA, .viewer))
            #expect(viewed.status == 200 && viewed.json["url"] as? String == "https://xa-my-cam.example/hooks" && !viewed.text.contains("abc123"), "\(viewed.text)")

            let stopped = try await api.request("DELETE", path, token: communeA)
            #expect(stopped.status == 204, "\(stopped.text)")
            #expect(try await api.request("GET", path, token: communeA).status == 404, "a removed endpoint is gone")
            #expect(try await api.request("DELETE", path, token: communeA).status == 404)
            _ = try DeadlineBook().create(for: units.communeA, kind: .other, title: "Báo cáo", due: try CivilDate(parsing: "15/06/2025"), by: .system, on: api.db.pool)
            #expect(try api.count("SELECT count(*) FROM danvan.webhook_deliveries") == 0, "no delivery to a stopped endpoint")
        }
    }
}
