import DanVan
import Foundation
import KheoAPI
import KheoTesting
import PostgresClient
import Testing

@Suite("HTTP API: periods, statistics and reports")
struct StatisticsAPITests {
    @Test func figuresAndReportsAreReadWithinTheTokensSubtree() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let registry = ModelRegistry()
            let campaign = try registry.createCampaign(
                named: "Dân vận khéo 2025", unit: units.district, from: try CivilDate(parsing: "01/01/2025"), to: try CivilDate(parsing: "31/12/2025"), on: api.db.pool
            )
            try registry.setWindow(
                campaign: campaign, unitKind: .commune, opens: try CivilDate(parsing: "01/01/2025"), closes: try CivilDate(parsing: "31/03/2025"),
                collectiveQuota: 5, individualQuota: 5, on: api.db.pool
            )
            for (unit, field, title) in [(units.communeA, Model.Field.economy, "Nuôi bò"), (units.communeA, .cultureSociety, "Văn nghệ"), (units.communeB, .economy, "Trồng dừa")] {
                _ = try registry.register(.init(
                    campaignID: campaign, unitID: unit, field: field, holder: .collective, holderName: "Tổ", title: title, day: try CivilDate(parsing: "15/02/2025")
                ), by: .system, on: api.db.pool)
            }
            let period = try Periods().create(.sixMonth, named: "6 tháng đầu năm 2025", from: try CivilDate(parsing: "01/01/2025"), to: try CivilDate(parsing: "30/06/2025"), on: api.db.pool)
            let communeA = try api.token(units.communeA, .editor)
            let district = try api.token(units.district, .editor)
            let periods = try await api.request("GET", "/v1/periods", token: communeA)
            #expect((periods.json["periods"] as? [[String: Any]])?.first?["startsOn"] as? String == "01/01/2025", "\(periods.text)")
            let empty = try await api.request("GET", "/v1/statistics?period=\(period.id)", token: communeA)
            #expect(empty.status == 200 && (empty.json["figures"] as? [Any])?.isEmpty == true && empty.json["snapshotId"] == nil, "before the first regeneration: \(empty.text)")

            try api.db.pool.transaction { connection in _ = try StatisticsBuilder.regenerate(in: connection) }
            let all = try await api.request("GET", "/v1/statistics?unit=\(units.district)&period=\(period.id)&field=all", token: district)
            let total = (all.json["figures"] as? [[String: Any]])?.first
            #expect(total?["modelsRegistered"] as? Int == 3 && total?["field"] as? String == "all" && all.json["snapshotId"] is Int, "\(all.text)")
            let own = try await api.request("GET", "/v1/statistics?period=\(period.id)", token: communeA)
            let byField = Dictionary(uniqueKeysWithValues: (own.json["figures"] as? [[String: Any]] ?? []).map { ($0["field"] as? String ?? "", $0["modelsRegistered"] as? Int) })
            #expect(byField == ["all": 2, "economy": 1, "culture_society": 1], "\(own.text)")
            #expect(try await api.request("GET", "/v1/statistics?unit=\(units.communeB)&period=\(period.id)", token: communeA).status == 404)
            #expect(try await api.request("GET", "/v1/statistics?period=987654", token: communeA).status == 404)
            #expect(try await api.request("GET", "/v1/statistics", token: communeA).status == 400, "the period is required")

            let asked = try await api.post("/v1/reports", token: district, json: "{\"unitId\": \(units.district), \"periodId\": \(period.id)}")
            #expect(asked.status == 202 && asked.json["jobId"] is Int, "\(asked.text)")
            #expect(try await api.post("/v1/reports", token: communeA, json: "{\"unitId\": \(units.district), \"periodId\": \(period.id)}").status == 404)
            #expect(try await api.post("/v1/reports", token: district, json: "{\"unitId\": \(units.district), \"periodId\": 987654}").status == 404)
            try await api.drainDomainQueue()
            let listed = try await api.request("GET", "/v1/reports?period=\(period.id)", token: district)
            let report = try #require((listed.json["reports"] as? [[String: Any]])?.first?["id"] as? Int, "\(listed.text)")
            let html = try await api.request("GET", "/v1/reports/\(report)/html", token: district)
            #expect(html.status == 200 && html.contentType.hasPrefix("text/html") && html.text.contains("Càng Long"), "\(html.contentType)")
            let csv = try await api.request("GET", "/v1/reports/\(report)/csv", token: district)
            #expect(csv.status == 200 && csv.contentType.hasPrefix("text/csv") && csv.text.contains("Mỹ Cẩm,2"), "\(csv.text)")
            #expect(try await api.request("GET", "/v1/reports/\(report)", token: district).json["periodId"] as? Int == Int(period.id))
            for path in ["/v1/reports/\(report)", "/v1/reports/\(report)/html", "/v1/reports/\(report)/csv"] {
                let hidden = try await api.request("GET", path, token: communeA)
                #expect(hidden.status == 404 && hidden.isProblem && !hidden.text.contains("Càng Long"), "\(path): the district's report is not the commune's")
            }
            #expect((try await api.request("GET", "/v1/reports", token: communeA).json["reports"] as? [Any])?.isEmpty == true)
        }
    }
}
