import DanVan
import Foundation
import KheoAPI
import KheoTesting
import PostgresClient
import Testing

/// `/v1/documents` end to end: a commune drafts its report, writes a part, issues it,
/// downloads the same bytes twice; what is refused is refused with a problem
/// document and changes nothing.
@Suite("HTTP API: documents")
struct DocumentsAPITests {
    @Test func aDraftIsWrittenIssuedAndDownloadedTheSameEveryTime() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let pool = api.db.pool
            let registry = ModelRegistry()
            let campaign = try registry.createCampaign(
                named: "Dân vận khéo 2025", unit: units.district, from: try CivilDate(parsing: "01/01/2025"), to: try CivilDate(parsing: "31/12/2025"), on: pool
            )
            try registry.setWindow(
                campaign: campaign, unitKind: .commune, opens: try CivilDate(parsing: "01/01/2025"), closes: try CivilDate(parsing: "31/03/2025"),
                collectiveQuota: 5, individualQuota: 5, on: pool
            )
            _ = try registry.register(.init(
                campaignID: campaign, unitID: units.communeA, field: .economy, holder: .collective, holderName: "Tổ hợp tác", title: "Nuôi bò",
                day: try CivilDate(parsing: "15/02/2025")
            ), by: .system, on: pool)
            let period = try Periods().create(.sixMonth, named: "6 tháng đầu năm 2025", from: try CivilDate(parsing: "01/01/2025"), to: try CivilDate(parsing: "30/06/2025"), on: pool)
            try pool.transaction { connection in _ = try StatisticsBuilder.regenerate(in: connection) }
            let editor = try api.token(units.communeA, .editor)
            let admin = try api.token(units.communeA, .admin)
            let district = try api.token(units.district, .admin)

            // Bad requests: a clear 400 each, nothing enqueued.
            let jobsBefore = try api.count("SELECT count(*) FROM kheo.all_jobs")
            for (body, why) in [
                ("{\"kind\": \"review_report\", \"unitId\": ", "malformed JSON"),
                ("{\"kind\": \"memo\", \"unitId\": \(units.communeA), \"periodId\": \(period.id)}", "an unknown kind"),
                ("{\"kind\": \"review_report\", \"unitId\": \"\(units.communeA)\", \"periodId\": \(period.id)}", "a string for a number"),
                ("{\"kind\": \"review_report\", \"unitId\": \(units.communeA)}", "no period"),
                ("{\"kind\": \"inspection_conclusion\"}", "no visit"),
                ("{\"kind\": \"review_report\", \"unitId\": \(units.communeA), \"periodId\": \(period.id), \"parts\": {\"nope\": \"x\"}}", "a part the kind has not"),
                ("{\"kind\": \"review_report\", \"unitId\": \(units.communeA), \"periodId\": \(period.id), \"parts\": {\"signer\": \"a\\u0000b\"}}", "a NUL in a part"),
            ] {
                let reply = try await api.post("/v1/documents", token: editor, json: body)
                #expect(reply.status == 400 && reply.isProblem, "\(why): \(reply.status) \(reply.text)")
            }
            let invalid = try await api.request("POST", "/v1/documents", token: editor, body: Data([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D]))
            #expect(invalid.status == 400 && invalid.isProblem, "invalid UTF-8: \(invalid.status)")
            #expect(try api.count("SELECT count(*) FROM kheo.all_jobs") == jobsBefore)

            let asked = try await api.post(
                "/v1/documents", token: editor,
                json: "{\"kind\": \"review_report\", \"unitId\": \(units.communeA), \"periodId\": \(period.id), \"parts\": {\"signer\": \"Trần Thị Hoa\"}}"
            )
            #expect(asked.status == 202 && asked.json["jobId"] is Int, "\(asked.text)")
            try await api.drainDomainQueue()
            let listed = try await api.request("GET", "/v1/documents?kind=review_report&status=draft", token: editor)
            let document = try #require((listed.json["documents"] as? [[String: Any]])?.first, "\(listed.text)")
            let id = try #require(document["id"] as? Int)
            #expect(document["reference"] as? String == "…-BC/ĐU" && document["number"] == nil, "\(document)")
            let signer = (document["parts"] as? [[String: Any]])?.first { $0["key"] as? String == "signer" }?["text"] as? String
            #expect(signer == "Trần Thị Hoa", "the signer named in the request")
            let keys = (document["parts"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
            #expect(keys == ["introduction", "leadership", "causes", "directions", "proposals", "signer"], "\(keys)")

            // Parts: the issuing commune's editor writes them; unknown ones and control
            // characters are refused; SQL metacharacters are text.
            let unknown = try await api.request("PATCH", "/v1/documents/\(id)", token: editor, body: Data(#"{"parts": {"nope": "x"}}"#.utf8))
            #expect(unknown.status == 400 && unknown.text.contains("no part nope"), "\(unknown.text)")
            let control = try await api.request("PATCH", "/v1/documents/\(id)", token: editor, body: Data(#"{"parts": {"causes": "a\u0007b"}}"#.utf8))
            #expect(control.status == 400, "\(control.text)")
            let above = try await api.request("PATCH", "/v1/documents/\(id)", token: district, body: Data(#"{"parts": {"causes": "x"}}"#.utf8))
            #expect(above.status == 403, "the district reads the commune's document but does not write it: \(above.text)")
            let written = try await api.request(
                "PATCH", "/v1/documents/\(id)", token: editor, body: Data(#"{"parts": {"causes": "Còn chậm'; DROP TABLE danvan.documents; --", "signer": "Nguyễn Văn An"}}"#.utf8)
            )
            #expect(written.status == 200, "\(written.text)")
            let unsignedIssue = try await api.request("POST", "/v1/documents/\(id)/issue", token: editor)
            #expect(unsignedIssue.status == 403, "issuing takes the unit's admin: \(unsignedIssue.text)")

            let issued = try await api.request("POST", "/v1/documents/\(id)/issue", token: admin)
            #expect(issued.status == 200 && issued.json["reference"] as? String == "1-BC/ĐU" && issued.json["status"] as? String == "issued", "\(issued.text)")
            let first = try await api.request("GET", "/v1/documents/\(id)/files/docx", token: district)
            let second = try await api.request("GET", "/v1/documents/\(id)/files/docx", token: editor)
            #expect(first.status == 200 && first.contentType == DocumentFormat.docx.contentType && first.body.prefix(2) == Data("PK".utf8))
            #expect(first.body == second.body && first.headers["digest-sha256"] == second.headers["digest-sha256"], "byte-identical on every download")
            let files = issued.json["files"] as? [[String: Any]] ?? []
            #expect(files.contains { $0["format"] as? String == "docx" && $0["sha256"] as? String == first.headers["digest-sha256"] }, "\(files)")
            let etag = first.headers["etag"] ?? "", disposition = first.headers["content-disposition"] ?? ""
            #expect(etag == "\"\(first.headers["digest-sha256"] ?? "")\"" && disposition == "attachment; filename=\"van-ban-\(id).docx\"",
                    "\(first.headers)")
            let html = try await api.request("GET", "/v1/documents/\(id)/files/html", token: editor)
            #expect(html.contentType.hasPrefix("text/html") && html.text.contains("Còn chậm&#39;; DROP TABLE danvan.documents; --"))
            #expect(try await api.request("GET", "/v1/documents/\(id)/files/xlsx", token: editor).status == 404, "a report has no workbook")

            // Issued: never changed again.
            let late = try await api.request("PATCH", "/v1/documents/\(id)", token: editor, body: Data(#"{"parts": {"causes": "x"}}"#.utf8))
            #expect(late.status == 409 && late.text.contains("never changes"), "\(late.text)")
            #expect(try await api.request("POST", "/v1/documents/\(id)/issue", token: admin).status == 409)
            #expect(try await api.request("GET", "/v1/documents/\(id)/files/docx", token: editor).body == first.body)

            // Another commune sees nothing of it.
            let other = try api.token(units.communeB, .admin)
            for path in ["/v1/documents/\(id)", "/v1/documents/\(id)/files/docx"] {
                let hidden = try await api.request("GET", path, token: other)
                #expect(hidden.status == 404 && hidden.isProblem && !hidden.text.contains("Mỹ Cẩm"), "\(path)")
            }
        }
    }
}
