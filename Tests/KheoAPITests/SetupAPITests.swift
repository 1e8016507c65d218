import DanVan
import Foundation
import KheoAPI
import KheoTesting
import PostgresClient
import Testing

/// A province set up over HTTP: its unit list posted as CSV and as .xlsx, a campaign
/// opened with its windows, targets and periods, and the targets read back.
@Suite("HTTP API: setup")
struct SetupAPITests {
    @Test func anOfficeImportsItsUnitListAndOpensACampaign() async throws {
        try await APIHarness.with { api in
            let province = try UnitDirectory().create(.province, named: "Vĩnh Long", under: nil, code: "86", on: api.db.pool)
            let admin = try api.token(province.id, .admin)

            // Two communes and their hamlets, as CSV; then the same again: nothing new.
            let csv = """
                Mã,Tên đơn vị,Loại,Đơn vị cấp trên,Mã cấp trên
                86001,Xã Song Phú,xã,Vĩnh Long,86
                86001-1,Ấp Phú Hòa,ấp,Xã Song Phú,86001
                86002,Phường Tân Ngãi,phường,,86
                86002-1,Khóm 1,khóm,,86002

                """
            let first = try await api.request("POST", "/v1/units/import", token: admin, body: Data(csv.utf8), contentType: "text/csv")
            #expect(first.status == 200 && first.json["created"] as? Int == 4, "\(first.text)")
            let again = try await api.request("POST", "/v1/units/import", token: admin, body: Data(csv.utf8), contentType: "text/csv")
            #expect(again.status == 200 && again.json["created"] as? Int == 0 && again.json["unchanged"] as? Int == 4, "\(again.text)")

            // An .xlsx with a bad row among good ones: refused whole, the row named.
            let sheet = UnitSheet(rows: [
                .init(line: 2, code: "86003", name: "Xã Tân Quới", kind: .commune, parentName: nil, parentCode: "86"),
                .init(line: 3, code: "86003-1", name: "Ấp Tân Hòa", kind: .hamlet, parentName: nil, parentCode: "86003"),
                .init(line: 4, code: "86004-1", name: "Ấp Lạc", kind: .hamlet, parentName: nil, parentCode: "86999"),
            ])
            let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            let refused = try await api.request("POST", "/v1/units/import", token: admin, body: try sheet.data(as: .xlsx), contentType: xlsx)
            #expect(refused.status == 422 && refused.isProblem, "\(refused.text)")
            let errors = refused.json["errors"] as? [[String: Any]] ?? []
            #expect(errors.map { $0["line"] as? Int } == [4], "\(refused.text)")
            let good = UnitSheet(rows: Array(sheet.rows.prefix(2)))
            let accepted = try await api.request("POST", "/v1/units/import", token: admin, body: try good.data(as: .xlsx), contentType: xlsx)
            #expect(accepted.status == 200 && accepted.json["created"] as? Int == 2, "\(accepted.text)")
            // Not a table at all: 400, with what to do.
            let garbage = try await api.request("POST", "/v1/units/import", token: admin, body: Data([0x50, 0x4B, 0x03, 0x04, 0, 1, 2]), contentType: xlsx)
            #expect(garbage.status == 400 && garbage.isProblem, "\(garbage.text)")

            // A campaign for the communes, with its windows and periods.
            let opened = try await api.post("/v1/campaigns", token: admin, json: """
                {"unitId": \(province.id), "name": "Dân vận khéo năm 2026", "startsOn": "15/10/2025", "endsOn": "13/10/2026",
                 "windows": [{"unitKind": "commune", "opensOn": "15/10/2025", "closesOn": "31/12/2025", "collectiveTarget": 10, "individualTarget": 15}]}
                """)
            #expect(opened.status == 201, "\(opened.text)")
            let periods = (opened.json["periods"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(periods == ["Năm 2026", "6 tháng đầu năm 2026"], "\(opened.text)")
            let campaign = (opened.json["campaign"] as? [String: Any])?["id"] as? Int ?? 0
            let songPhu = try #require(try UnitDirectory().find(code: "86001", on: api.db.pool))
            _ = try ModelRegistry().register(.init(
                campaignID: Int64(campaign), unitID: songPhu.id, field: .economy, holder: .collective, holderName: "Hội Nông dân xã",
                title: "Nuôi bò vỗ béo", day: try CivilDate(parsing: "20/10/2025")
            ), by: .system, on: api.db.pool)
            let targets = try await api.request("GET", "/v1/campaigns/\(campaign)/targets", token: admin)
            let rows = targets.json["targets"] as? [[String: Any]] ?? []
            let songPhuCollective = rows.first { $0["unitName"] as? String == "Xã Song Phú" && $0["holder"] as? String == "collective" }
            #expect(songPhuCollective?["registered"] as? Int == 1 && songPhuCollective?["shortfall"] as? Int == 9, "\(targets.text)")
            #expect(rows.filter { $0["unitKind"] as? String == "commune" }.count == 6, "three communes, two targets each: \(targets.text)")

            // A calendar period is every unit's: a province's admin may not define one.
            let calendar = #"{"kind": "year", "name": "Năm 2026", "startsOn": "01/01/2026", "endsOn": "31/12/2026"}"#
            #expect(try await api.post("/v1/periods", token: admin, json: calendar).status == 404)
            #expect(try await api.post("/v1/periods", token: try api.operatorToken(), json: calendar).status == 201)
        }
    }
}
