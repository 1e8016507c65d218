import DanVan
import Foundation
import HTTPTypes
import Kheo
import PostgresClient

/// The documents of a unit's subtree, as its office works with them: draft one from
/// the data (a `document.draft` job), write its narrative parts, issue it with the
/// next number of the unit's register, download the .docx, .xlsx, HTML or CSV; an
/// issued document is only read, and corrected by a new one.
enum DocumentPages {
    static let kindNames: [DocumentKind: String] = [
        .reviewReport: "Báo cáo sơ kết, tổng kết", .statisticsWorkbook: "Báo cáo số liệu (Excel)", .inspectionPlan: "Kế hoạch kiểm tra",
        .inspectionSchedule: "Thông báo lịch kiểm tra", .inspectionConclusion: "Thông báo kết luận kiểm tra",
    ]
    static let formatNames: [DocumentFormat: String] = [.docx: "Word", .xlsx: "Excel", .html: "HTML", .csv: "CSV"]

    static func status(_ document: StoredDocument) -> String {
        document.status == .issued ? "Đã ban hành \(document.issuedOn?.description ?? "")" : "Dự thảo"
    }

    static func downloads(_ document: StoredDocument) -> HTML {
        let formats = DocumentFormat.allCases.filter { document.files[$0] != nil }
        return HTML.each(Array(formats.enumerated())) { index, format in
            "\(HTML(unsafe: index > 0 ? " · " : ""))<a href=\"/console/documents/\(document.id)/download?format=\(format.rawValue)\">\(formatNames[format] ?? format.rawValue)</a>"
        }
    }

    static func list(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let unit = try request.unit()
        let kind = try request.query("kind", as: DocumentKind.self, label: "Loại văn bản")
        let state = try request.query("status", as: StoredDocument.Status.self, label: "Trạng thái")
        let (name, documents, periods, plans, visits, names) = try await request.run { pool in
            guard let found = try UnitDirectory().find(unit, on: pool) else { throw ConsoleError.notFound }
            try Authority.require(.readDocuments, by: principal, on: .unit(unit), in: pool)
            let documents = try DocumentRegistry().list(under: unit, kind: kind, status: state, limit: 200, on: pool)
            // What a draft can be drawn from: the periods, the subtree's scheduled
            // plans, and the visits with findings.
            let plans = try pool.query(
                """
                SELECT p.id, p.title FROM danvan.inspection_plans AS p JOIN danvan.units AS u ON u.id = p.issuing_unit_id
                WHERE u.path @> ARRAY[$1::bigint] AND p.status = 'scheduled' ORDER BY p.id DESC LIMIT 50
                """,
                unit
            ).map { (id: try $0.decode("id", as: Int64.self), title: try $0.decode("title", as: String.self)) }
            let visits = try pool.query(
                """
                SELECT v.id, danvan.unit_name_on(v.unit_id, v.visit_on) AS unit, to_char(v.visit_on, 'DD/MM/YYYY') AS day
                FROM danvan.inspection_visits AS v JOIN danvan.inspection_plans AS p ON p.id = v.plan_id JOIN danvan.units AS u ON u.id = p.issuing_unit_id
                WHERE u.path @> ARRAY[$1::bigint] AND v.done_at IS NOT NULL ORDER BY v.visit_on DESC, v.id DESC LIMIT 100
                """,
                unit
            ).map { (id: try $0.decode("id", as: Int64.self), label: "\(try $0.decode("unit", as: String.self)) – \(try $0.decode("day", as: String.self))") }
            return (found.name, documents, try Periods().list(on: pool), plans, visits, try ConsoleQueries.names(of: documents.map(\.unitID), on: pool))
        }
        let rows = documents.map { document -> HTML in
            """
            <tr><td><a href="/console/documents/\(document.id)">\(document.reference)</a></td><td>\(kindNames[document.kind] ?? document.kind.rawValue)</td>
            <td>\(document.title)</td><td>\(names[document.unitID] ?? "")</td><td>\(status(document))</td><td>\(downloads(document))</td></tr>
            """
        }
        let canDraft = principal.role >= Action.draftDocument.rule.role
        let kinds = DocumentKind.allCases.map { ($0.rawValue, kindNames[$0] ?? $0.rawValue) }
        return .page(ConsoleLayout.page("Văn bản · \(name)", request, section: .documents, """
            <form class="filters" method="get" action="/console/documents">
              <input type="hidden" name="unit" value="\(unit)">
              \(ConsoleLayout.select("kind", label: "Loại văn bản", options: kinds, selected: kind?.rawValue, includeAll: "Tất cả"))
              \(ConsoleLayout.select("status", label: "Trạng thái", options: [("draft", "Dự thảo"), ("issued", "Đã ban hành")], selected: state?.rawValue, includeAll: "Tất cả"))
              <button type="submit">Lọc</button>
            </form>
            \(ConsoleLayout.table(caption: "Sổ văn bản", headers: ["Số, ký hiệu", "Loại", "Trích yếu", "Đơn vị ban hành", "Trạng thái", "Tải về"], rows: rows, empty: "Chưa có văn bản."))
            \(HTML.when(canDraft, """
            <h2>Soạn văn bản mới</h2>
            <p>Văn bản được soạn từ số liệu đã lưu; dự thảo xuất hiện trong sổ khi soạn xong, để viết phần nhận định rồi ban hành.</p>
            <form class="stack" method="post" action="/console/documents">
              \(ConsoleLayout.csrf(request.session))
              <input type="hidden" name="unit" value="\(unit)">
              \(ConsoleLayout.select("kind", label: "Loại văn bản", options: kinds, selected: nil))
              \(ConsoleLayout.select("period", label: "Kỳ (báo cáo, số liệu)", options: periods.map { ("\($0.id)", "\($0.name) (\($0.startsOn) – \($0.endsOn))") }, selected: nil, includeAll: "—"))
              \(ConsoleLayout.select("plan", label: "Kế hoạch kiểm tra (kế hoạch, lịch)", options: plans.map { ("\($0.id)", $0.title) }, selected: nil, includeAll: "—"))
              \(ConsoleLayout.select("visit", label: "Cuộc kiểm tra (kết luận)", options: visits.map { ("\($0.id)", $0.label) }, selected: nil, includeAll: "—"))
              <button type="submit">Soạn dự thảo</button>
            </form>
            """))
            """))
    }

    static func draft(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let unit = try request.form.id("unit", label: "Đơn vị")
        guard let kind = DocumentKind(rawValue: request.form["kind"] ?? "") else { throw ConsoleError.badRequest("Chọn loại văn bản.") }
        let optional = { (name: String) -> Int64? in request.form[name].flatMap { Int64($0) }.flatMap { $0 > 0 ? $0 : nil } }
        let corrects = optional("corrects")
        let asked = DocumentRequest(
            kind: kind, unitID: kind.source == "period" ? unit : nil, periodID: optional("period"), planID: optional("plan"), visitID: optional("visit"),
            correctsID: corrects
        )
        try await request.run { pool in
            try pool.transaction { connection in
                var draft = asked
                if let corrects {
                    // A correction is drawn from the same source as the document it
                    // replaces (whether the caller may read it is checked below).
                    guard let old = try DocumentRegistry().find(corrects, on: connection) else { throw ConsoleError.notFound }
                    draft = DocumentRequest(kind: old.kind, unitID: old.kind.source == "period" ? old.unitID : nil, periodID: old.periodID, planID: old.planID,
                                            visitID: old.visitID, correctsID: corrects)
                }
                let issuer = try DocumentRegistry().authoriseDraft(draft, by: principal, in: connection)
                var options = EnqueueOptions(queue: DanVanJobs.queue)
                options.tags = [JobScope.unitTag(issuer)]
                // Keyed by the issuing unit: the domain queue takes each unit's drafts in turn.
                var job = try JobRequest(DocumentJobs.Draft(draft), options: options)
                job.partitionKey = DanVanJobs.unitKey(issuer)
                _ = try Producer().insert(job, on: connection)
            }
        }
        return .redirect("/console/documents?unit=\(unit)&notice=drafting")
    }

    static func show(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let id = try request.id("document")
        let (document, unitName, canEdit, canIssue) = try await request.run { pool in
            guard let document = try DocumentRegistry().find(id, on: pool) else { throw ConsoleError.notFound }
            try Authority.require(.readDocuments, by: principal, on: .document(document), in: pool)
            let names = try ConsoleQueries.names(of: [document.unitID], on: pool)
            return (
                document, names[document.unitID] ?? "", try Authority.allows(.editDocument, by: principal, on: .document(document), in: pool),
                try Authority.allows(.issueDocument, by: principal, on: .document(document), in: pool)
            )
        }
        let draft = document.status == .draft
        let facts: [(String, HTML)] = [
            ("Số, ký hiệu", "\(document.reference)"), ("Loại", "\(kindNames[document.kind] ?? "")"), ("Đơn vị ban hành", "\(unitName)"),
            ("Trạng thái", "\(status(document))"), ("Tải về", downloads(document)),
        ] + (document.correctsID.map { [("Thay thế", "<a href=\"/console/documents/\($0)\">văn bản \($0)</a>" as HTML)] } ?? [])
        let parts = HTML.each(document.partLabels) { part in
            let text = document.parts[part.key] ?? ""
            guard draft && canEdit else { return "<h3>\(part.label)</h3><p class=\"prewrap\">\(text.isEmpty ? "—" : text)</p>" }
            // The signer is a name on one line; the other parts are paragraphs.
            return part.key == "signer"
                ? """
                  <div class="field"><label for="part-\(part.key)">\(part.label)</label>\
                  <input id="part-\(part.key)" name="part.\(part.key)" maxlength="200" value="\(text)"></div>
                  """
                : """
                  <div class="field"><label for="part-\(part.key)">\(part.label)</label>\
                  <textarea id="part-\(part.key)" name="part.\(part.key)" maxlength="\(DocumentRegistry.partLimit)" rows="5">\(text)</textarea></div>
                  """
        }
        let checksums = HTML.each(document.files.sorted { $0.key.rawValue < $1.key.rawValue }) { format, sha in
            "<tr><td>\(formatNames[format] ?? format.rawValue)</td><td><code>\(sha)</code></td></tr>"
        }
        return .page(ConsoleLayout.page(document.title, request, section: .documents, """
            <dl class="facts">\(HTML.each(facts) { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" })</dl>
            \(draft && canEdit ? """
              <h2>Phần nhận định</h2>
              <form class="stack" method="post" action="/console/documents/\(document.id)/edit">
                \(ConsoleLayout.csrf(request.session))
                \(parts)
                <button type="submit">Lưu dự thảo</button>
              </form>
              """ as HTML : "<h2>Phần nhận định</h2>\(parts)" as HTML)
            \(HTML.when(draft && canIssue, """
              <h2>Ban hành</h2>
              <p>Văn bản được cấp số tiếp theo trong sổ văn bản của đơn vị và ghi ngày hôm nay; sau khi ban hành không thể sửa, chỉ có thể ban hành văn bản thay thế.</p>
              <form method="post" action="/console/documents/\(document.id)/issue" data-confirm="Ban hành văn bản này? Sau khi ban hành không thể sửa.">
                \(ConsoleLayout.csrf(request.session))
                <div class="check"><input type="checkbox" id="confirm" name="confirm" value="yes" required> <label for="confirm">Tôi đã đọc lại dự thảo và đồng ý ban hành</label></div>
                <button type="submit">Ban hành</button>
              </form>
              """))
            \(HTML.when(!draft && principal.role >= Action.draftDocument.rule.role, """
              <form method="post" action="/console/documents">
                \(ConsoleLayout.csrf(request.session))
                <input type="hidden" name="unit" value="\(document.unitID)">
                <input type="hidden" name="kind" value="\(document.kind.rawValue)">
                <input type="hidden" name="corrects" value="\(document.id)">
                <button type="submit" class="secondary">Soạn văn bản thay thế</button>
              </form>
              """))
            \(ConsoleLayout.table(caption: "Mã kiểm tra SHA-256 của các tệp", headers: ["Tệp", "SHA-256"], rows: [checksums]))
            """))
    }

    static func edit(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let id = try request.id("document")
        var edited: [String: String] = [:]
        for (name, values) in request.form.fields where name.hasPrefix("part.") {
            edited[String(name.dropFirst("part.".count))] = values.first ?? ""
        }
        let parts = edited
        try await request.run { pool in
            _ = try pool.transaction { try DocumentRegistry().edit(id, parts: parts, by: principal, in: $0) }
        }
        return .redirect("/console/documents/\(id)?notice=saved")
    }

    static func issue(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let id = try request.id("document")
        guard request.form["confirm"] == "yes" else { throw ConsoleError.badRequest("Đánh dấu ô xác nhận để ban hành.") }
        try await request.run { pool in
            _ = try pool.transaction { try DocumentRegistry().issue(id, by: principal, in: $0) }
        }
        return .redirect("/console/documents/\(id)?notice=issued")
    }

    static func download(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let id = try request.id("document")
        guard let format = DocumentFormat(rawValue: request.query("format") ?? "") else { throw ConsoleError.badRequest("format: docx, xlsx, html hoặc csv") }
        let (document, file) = try await request.run { pool in
            guard let document = try DocumentRegistry().find(id, on: pool) else { throw ConsoleError.notFound }
            try Authority.require(.readDocuments, by: principal, on: .document(document), in: pool)
            guard let file = try DocumentRegistry().file(id, format, on: pool) else { throw ConsoleError.notFound }
            return (document, file)
        }
        return .file([UInt8](file.data), type: format.contentType, name: "\(document.reference.replacingOccurrences(of: "/", with: "-"))-\(document.kind.rawValue).\(format.rawValue)")
    }
}
