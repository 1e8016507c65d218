import DanVan
import HTTPTypes
import Foundation
import PostgresClient

/// Models ("mô hình dân vận khéo"): list with filters, register (with the window and
/// target shown), follow through the lifecycle, attach evidence. Every form is shown
/// only to whom `Authority` allows it, and every post asks `Authority` again.
enum ModelPages {
    static func list(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let unit = try request.unit()
        let field = try request.query("field", as: Model.Field.self, label: "Lĩnh vực")
        let state = try request.query("state", as: Model.State.self, label: "Trạng thái")
        let campaign = try request.queryID("campaign")
        let before = try request.queryID("cursor")
        let (name, models, names, campaigns, units) = try await request.run { pool in
            guard let found = try UnitDirectory().find(unit, on: pool) else { throw ConsoleError.notFound }
            try Authority.require(.readModels, by: principal, on: .unit(unit), in: pool)
            let models = try ModelRegistry().list(under: unit, campaign: campaign, state: state, field: field, before: before, limit: 51, on: pool)
            // The unit filter: this unit, the one above it (when the caller sees it),
            // and the units directly under it.
            let today = try CivilDate.today(on: pool)
            var units = try UnitDirectory().subtree(of: unit, on: pool).filter { $0.depth == found.depth + 1 && $0.stands(on: today) }
                .sorted { $0.name < $1.name }.map { ($0.id, $0.name) }
            units.insert((found.id, found.name), at: 0)
            if let parent = found.parentID, let above = try UnitDirectory().find(parent, on: pool),
               try Authority.allows(.readModels, by: principal, on: .unit(parent), in: pool) {
                units.insert((above.id, above.name), at: 0)
            }
            return (
                found.name, models, try ConsoleQueries.names(of: models.map(\.unitID), on: pool),
                try ModelRegistry().campaigns(for: unit, on: pool), units
            )
        }
        let page = Array(models.prefix(50))
        var query = "unit=\(unit)"
        if let field { query += "&field=\(field.rawValue)" }
        if let state { query += "&state=\(state.rawValue)" }
        if let campaign { query += "&campaign=\(campaign)" }
        let rows = page.map { model -> HTML in
            """
            <tr><td><a href="/console/models/\(model.id)">\(model.title)</a></td><td>\(names[model.unitID] ?? "")</td>
            <td>\(model.field.vietnamese)</td><td>\(model.holder.vietnamese): \(model.holderName)</td>
            <td>\(ModelPages.state(model.state))</td><td>\(model.registeredOn.description)</td></tr>
            """
        }
        let canRegister = principal.role >= Action.registerModel.rule.role
        return .page(ConsoleLayout.page("Mô hình · \(name)", request, section: .models, """
            \(HTML.when(canRegister, "<p><a class=\"button\" href=\"/console/models/new?unit=\(unit)\">Đăng ký mô hình</a></p>"))
            <form class="filters" method="get" action="/console/models">
              \(ConsoleLayout.select("unit", label: "Đơn vị", options: units.map { ("\($0.0)", $0.1) }, selected: "\(unit)"))
              \(ConsoleLayout.select("field", label: "Lĩnh vực", options: Model.Field.allCases.map { ($0.rawValue, $0.vietnamese) }, selected: field?.rawValue, includeAll: "Tất cả"))
              \(ConsoleLayout.select("state", label: "Trạng thái", options: Model.State.allCases.map { ($0.rawValue, $0.vietnamese) }, selected: state?.rawValue, includeAll: "Tất cả"))
              \(ConsoleLayout.select("campaign", label: "Phong trào", options: campaigns.map { ("\($0.id)", $0.name) }, selected: campaign.map { "\($0)" }, includeAll: "Tất cả"))
              <button type="submit" class="secondary">Lọc</button>
            </form>
            \(ConsoleLayout.table(caption: "Mô hình của đơn vị và các đơn vị trực thuộc", headers: ["Tên mô hình", "Đơn vị", "Lĩnh vực", "Chủ thể", "Trạng thái", "Ngày đăng ký"], rows: rows, empty: "Không có mô hình nào khớp bộ lọc."))
            \(HTML.when(models.count > 50, "<p><a href=\"/console/models?\(query)&amp;cursor=\(page.last?.id ?? 0)\">Trang sau</a></p>"))
            """))
    }

    static func state(_ state: Model.State) -> HTML {
        let style = switch state {
        case .recognised, .commended, .replicated: "ok"
        case .notRecognised: "bad"
        default: "warn"
        }
        return "<span class=\"state \(style)\">\(state.vietnamese)</span>"
    }

    struct Window: Sendable {
        let campaign: Campaign
        let opens: String
        let closes: String
        let collective: Int
        let individual: Int
        let registeredCollective: Int
        let registeredIndividual: Int
    }

    static func newForm(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        try await form(request, error: nil)
    }

    static func form(_ request: ConsoleRequest, error: String?) async throws -> ConsoleResponse {
        let principal = try request.principal
        let unit = try request.form.fields["unit"].flatMap { $0.first.flatMap(Int64.init) } ?? request.unit()
        let (found, windows, units, today) = try await request.run { pool in
            guard let found = try UnitDirectory().find(unit, on: pool) else { throw ConsoleError.notFound }
            try Authority.require(.registerModel, by: principal, on: .unit(unit), in: pool)
            let today = try CivilDate.today(on: pool)
            let windows = try ModelRegistry().campaigns(for: unit, on: pool).compactMap { campaign -> Window? in
                guard let row = try pool.query(
                    """
                    SELECT to_char(opens_on, 'DD/MM/YYYY') AS opens, to_char(closes_on, 'DD/MM/YYYY') AS closes, collective_quota, individual_quota,
                           (SELECT count(*) FROM danvan.models WHERE campaign_id = $1 AND unit_id = $3 AND holder_kind = 'collective') AS reg_c,
                           (SELECT count(*) FROM danvan.models WHERE campaign_id = $1 AND unit_id = $3 AND holder_kind = 'individual') AS reg_i
                    FROM danvan.registration_windows WHERE campaign_id = $1 AND unit_kind = $2::danvan.unit_kind
                    """,
                    campaign.id, found.kind.rawValue, unit
                ).first else { return nil }
                return Window(
                    campaign: campaign, opens: try row.decode("opens"), closes: try row.decode("closes"),
                    collective: Int(try row.decode("collective_quota", as: Int32.self)), individual: Int(try row.decode("individual_quota", as: Int32.self)),
                    registeredCollective: Int(try row.decode("reg_c", as: Int64.self)), registeredIndividual: Int(try row.decode("reg_i", as: Int64.self))
                )
            }
            let units = try UnitDirectory().subtree(of: unit, on: pool).filter { $0.stands(on: today) && $0.depth <= found.depth + 1 }.prefix(300)
            return (found, windows, Array(units), today)
        }
        let form = request.form
        let windowRows = windows.map { window -> HTML in
            """
            <tr><td>\(window.campaign.name)</td><td>\(window.opens) – \(window.closes)</td>
            <td class="num">\(window.registeredCollective) / \(window.collective)</td><td class="num">\(window.registeredIndividual) / \(window.individual)</td></tr>
            """
        }
        let page = ConsoleLayout.page("Đăng ký mô hình · \(found.name)", request, section: .models, """
            \(HTML.when(error != nil, "<p class=\"error\" role=\"alert\">\(error ?? "")</p>"))
            \(ConsoleLayout.table(caption: "Thời hạn đăng ký và chỉ tiêu của \(found.kind.vietnamese) (đã đăng ký / chỉ tiêu)",
                                  headers: ["Phong trào", "Thời hạn đăng ký", "Tập thể", "Cá nhân"], numericFrom: 2, rows: windowRows,
                                  empty: "Chưa có phong trào nào mở đăng ký cho đơn vị này."))
            <form class="stack" method="post" action="/console/models">
              \(ConsoleLayout.csrf(request.session))
              \(ConsoleLayout.select("campaign", label: "Phong trào", options: windows.map { ("\($0.campaign.id)", $0.campaign.name) }, selected: form["campaign"]))
              \(ConsoleLayout.select("unit", label: "Đơn vị đăng ký", options: units.map { ("\($0.id)", $0.name) }, selected: form["unit"] ?? "\(unit)"))
              \(ConsoleLayout.select("field", label: "Lĩnh vực", options: Model.Field.allCases.map { ($0.rawValue, $0.vietnamese) }, selected: form["field"]))
              \(ConsoleLayout.select("holder", label: "Chủ thể", options: Model.Holder.allCases.map { ($0.rawValue, $0.vietnamese) }, selected: form["holder"]))
              <div class="field"><label for="holderName">Tên tập thể hoặc cá nhân</label><input id="holderName" name="holderName" required maxlength="300" value="\(form["holderName"] ?? "")"></div>
              <div class="field"><label for="title">Tên mô hình</label><input id="title" name="title" required maxlength="500" value="\(form["title"] ?? "")"></div>
              <div class="field"><label for="day">Ngày đăng ký (dd/mm/yyyy)</label><input id="day" name="day" required pattern="\\d{2}/\\d{2}/\\d{4}" value="\(form["day"] ?? today.description)"></div>
              <div class="field"><label for="campaignField">Mã lĩnh vực của phong trào (nếu phong trào có danh mục riêng)</label><input id="campaignField" name="campaignField" maxlength="50" value="\(form["campaignField"] ?? "")"></div>
              <button type="submit">Đăng ký</button>
            </form>
            """)
        return .page(page, status: error == nil ? .ok : .badRequest)
    }

    static func register(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let form = request.form
        let registration: ModelRegistration
        do {
            guard let field = form["field"].flatMap(Model.Field.init(rawValue:)) else { throw ConsoleError.badRequest("Chọn lĩnh vực.") }
            guard let holder = form["holder"].flatMap(Model.Holder.init(rawValue:)) else { throw ConsoleError.badRequest("Chọn chủ thể.") }
            let day: CivilDate
            do { day = try CivilDate(parsing: try form.required("day", label: "Ngày đăng ký")) } catch let error as CivilDateError {
                throw ConsoleError.badRequest("Ngày đăng ký: \(error)")
            }
            registration = ModelRegistration(
                campaignID: try form.id("campaign", label: "Phong trào"), unitID: try form.id("unit", label: "Đơn vị"), field: field, holder: holder,
                holderName: try form.required("holderName", label: "Chủ thể"), title: try form.required("title", label: "Tên mô hình"), day: day,
                campaignField: form["campaignField"]
            )
        } catch let error as ConsoleError {
            return try await Self.form(request, error: error.detail)
        }
        do {
            let model = try await request.run { pool in try ModelRegistry().register(registration, by: principal, on: pool) }
            return .redirect("/console/models/\(model.id)?notice=registered")
        } catch let error as AuthorityError {
            throw error
        } catch {
            guard let problem = DomainProblem.from(error), problem.status != 404 else { throw error }
            return try await Self.form(request, error: problem.detail)
        }
    }

    static func show(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let id = try request.id("model")
        struct Loaded: Sendable {
            let model: Model
            let record: ModelRecord
            let unitName: String
            let campaign: Campaign?
            let moves: [Model.State]
            let canDescribe: Bool
            let history: [(String, String, String)]
            let today: CivilDate
        }
        let loaded = try await request.run { pool -> Loaded in
            guard let model = try ModelRegistry().find(id, on: pool) else { throw ConsoleError.notFound }
            let record = try ModelRecords().record(id, by: principal, on: pool)
            let campaign = try ModelRegistry().campaign(model.campaignID, on: pool)
            let subject = Subject.model(id, registrant: model.unitID, campaignUnit: campaign?.unitID ?? model.unitID)
            let moves = try model.state.next.sorted { $0.rawValue < $1.rawValue }.filter {
                try Authority.allows(Action.modelTransition(to: $0), by: principal, on: subject, in: pool)
            }
            let history = try pool.query(
                """
                SELECT coalesce(from_state::text, '') AS from_state, to_state::text AS to_state, to_char(happened_on, 'DD/MM/YYYY') AS day
                FROM danvan.model_transitions WHERE model_id = $1 ORDER BY id
                """,
                id
            ).map { (try $0.decode("from_state", as: String.self), try $0.decode("to_state", as: String.self), try $0.decode("day", as: String.self)) }
            return Loaded(
                model: model, record: record, unitName: try UnitDirectory().find(model.unitID, on: pool)?.name ?? "", campaign: campaign, moves: moves,
                canDescribe: try Authority.allows(.describeModel, by: principal, on: subject, in: pool), history: history,
                today: try CivilDate.today(on: pool)
            )
        }
        let model = loaded.model
        let today = loaded.today
        let moveForm: HTML = loaded.moves.isEmpty ? "<p class=\"muted\">Bạn không có thao tác nào với mô hình này ở trạng thái hiện tại.</p>" : """
            <form class="stack" method="post" action="/console/models/\(model.id)/transition">
              \(ConsoleLayout.csrf(request.session))
              \(ConsoleLayout.select("to", label: "Chuyển sang trạng thái", options: loaded.moves.map { ($0.rawValue, $0.vietnamese) }, selected: nil))
              <div class="field"><label for="day">Ngày (dd/mm/yyyy)</label><input id="day" name="day" required value="\(today.description)"></div>
              <div class="field"><label for="note">Ghi chú</label><textarea id="note" name="note" maxlength="2000"></textarea></div>
              <button type="submit">Chuyển trạng thái</button>
            </form>
            """
        let evidenceRows = loaded.record.evidence.map { evidence -> HTML in
            """
            <tr><td><a href="/console/models/\(model.id)/evidence/\(evidence.id)">\(evidence.fileName)</a></td><td>\(evidence.contentType)</td>
            <td class="num">\(ConsoleText.number(evidence.sizeBytes)) byte</td><td><code>\(String(evidence.sha256.prefix(16)))…</code></td></tr>
            """
        }
        let evidenceForm: HTML = loaded.canDescribe ? """
            <form class="stack" method="post" action="/console/models/\(model.id)/evidence" enctype="multipart/form-data">
              \(ConsoleLayout.csrf(request.session))
              <div class="field"><label for="file">Tệp minh chứng (PDF, ảnh, Word, Excel; tối đa 5 MiB)</label><input id="file" name="file" type="file" required></div>
              <button type="submit">Đính kèm</button>
            </form>
            """ : .empty
        return .page(ConsoleLayout.page(model.title, request, section: .models, """
            <dl class="facts">
              <dt>Đơn vị</dt><dd><a href="/console/units/\(model.unitID)">\(loaded.unitName)</a></dd>
              <dt>Phong trào</dt><dd>\(loaded.campaign?.name ?? "")</dd>
              <dt>Lĩnh vực</dt><dd>\(model.field.vietnamese)</dd>
              <dt>Chủ thể</dt><dd>\(model.holder.vietnamese): \(model.holderName)</dd>
              <dt>Trạng thái</dt><dd>\(ModelPages.state(model.state))</dd>
              <dt>Ngày đăng ký</dt><dd>\(model.registeredOn.description)</dd>
            </dl>
            \(HTML.when(!loaded.record.description.isEmpty, "<h2>Mô tả</h2><p>\(loaded.record.description)</p>"))
            <h2>Quá trình</h2>
            \(ConsoleLayout.table(caption: "Các bước của mô hình", headers: ["Ngày", "Từ", "Sang"], rows: loaded.history.map { step in
                "<tr><td>\(step.2)</td><td>\(Model.State(rawValue: step.0)?.vietnamese ?? "—")</td><td>\(Model.State(rawValue: step.1)?.vietnamese ?? step.1)</td></tr>"
            }))
            <h2>Chuyển trạng thái</h2>
            \(moveForm)
            <h2>Minh chứng</h2>
            \(ConsoleLayout.table(caption: "Tệp đã nộp", headers: ["Tệp", "Loại", "Dung lượng", "SHA-256"], numericFrom: 2, rows: evidenceRows, empty: "Chưa có minh chứng."))
            \(evidenceForm)
            """))
    }

    static func transition(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let id = try request.id("model")
        guard let state = request.form["to"].flatMap(Model.State.init(rawValue:)) else { throw ConsoleError.badRequest("Chọn trạng thái.") }
        let day: CivilDate
        do { day = try CivilDate(parsing: try request.form.required("day", label: "Ngày")) } catch let error as CivilDateError {
            throw ConsoleError.badRequest("Ngày: \(error)")
        }
        let note = request.form["note"] ?? ""
        _ = try await request.run { pool in try ModelRegistry().transition(id, to: state, on: day, note: note, by: principal, pool: pool) }
        return .redirect("/console/models/\(id)?notice=moved")
    }

    static func attach(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let id = try request.id("model")
        // Who may file evidence is asked before the upload is looked at.
        try await request.run { pool in
            guard let model = try ModelRegistry().find(id, on: pool),
                  let campaign = try ModelRegistry().campaign(model.campaignID, on: pool)
            else { throw ConsoleError.notFound }
            try Authority.require(.describeModel, by: principal, on: .model(id, registrant: model.unitID, campaignUnit: campaign.unitID), in: pool)
        }
        guard let file = request.form.files.first(where: { $0.fieldName == "file" }), !file.bytes.isEmpty else {
            throw ConsoleError.badRequest("Chọn một tệp để đính kèm.")
        }
        _ = try await request.run { pool in
            try pool.transaction { connection in
                try ModelRecords().attach(id, fileName: file.fileName, contentType: file.contentType, data: Data(file.bytes), by: principal, in: connection)
            }
        }
        return .redirect("/console/models/\(id)?notice=evidence")
    }

    static func download(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let id = try request.id("model")
        let evidenceID = try request.id("evidence")
        guard let (evidence, data) = try await request.run({ pool in try ModelRecords().download(id, evidence: evidenceID, by: principal, on: pool) }) else {
            throw ConsoleError.notFound
        }
        // The stored type is what the uploader said; the name is ours.
        let type = FileUploads.evidence.types.contains(evidence.contentType) ? evidence.contentType : "application/octet-stream"
        return .file(Array(data), type: type, name: "evidence-\(evidence.id)")
    }
}
