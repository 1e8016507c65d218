import DanVan
import HTTPTypes
import Foundation
import PostgresClient

/// Inspection plans: the list of a subtree, a new plan, the schedule as a calendar
/// (morning and afternoon, the delegation and its head), why a plan was rejected,
/// and each visit's findings and conclusions.
enum InspectionPages {
    static func list(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let unit = try request.unit()
        let (name, plans) = try await request.run { pool in
            guard let found = try UnitDirectory().find(unit, on: pool) else { throw ConsoleError.notFound }
            try Authority.require(.readInspections, by: principal, on: .unit(unit), in: pool)
            return (found.name, try ConsoleQueries.plans(under: unit, on: pool))
        }
        let rows = plans.map { plan -> HTML in
            """
            <tr><td><a href="/console/inspections/\(plan.id)">\(plan.title)</a></td><td>\(plan.issuingUnitName)</td>
            <td>\(plan.firstDay.description) – \(plan.lastDay.description)</td>
            <td><span class="state \(plan.status == .rejected ? "bad" : plan.status == .scheduled ? "ok" : "warn")">\(ConsoleText.planStatus(plan.status))</span></td>
            <td class="num">\(plan.done) / \(plan.visits)</td></tr>
            """
        }
        return .page(ConsoleLayout.page("Kiểm tra · \(name)", request, section: .inspections, """
            \(HTML.when(principal.role >= Action.submitInspectionPlan.rule.role, "<p><a class=\"button\" href=\"/console/inspections/new?unit=\(unit)\">Lập kế hoạch kiểm tra</a></p>"))
            \(ConsoleLayout.table(caption: "Kế hoạch kiểm tra do đơn vị và cấp dưới ban hành", headers: ["Kế hoạch", "Đơn vị ban hành", "Thời gian", "Trạng thái", "Đã kiểm tra"], numericFrom: 4, rows: rows, empty: "Chưa có kế hoạch kiểm tra."))
            """))
    }

    static func show(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let id = try request.id("plan")
        let (plan, names, recordable, today) = try await request.run { pool in
            guard let plan = try InspectionPlans().find(id, on: pool) else { throw ConsoleError.notFound }
            try Authority.require(.readInspections, by: principal, on: .record("inspection plan", id, unit: plan.issuingUnitID), in: pool)
            let names = try ConsoleQueries.names(of: plan.targets + [plan.issuingUnitID], on: pool)
            let recordable = try plan.visits.filter { visit in
                guard visit.doneAt == nil else { return false }
                return try Authority.allows(.recordFindings, by: principal, on: .visit(visit.id, inspecting: plan.issuingUnitID, inspected: visit.unitID), in: pool)
            }.map(\.id)
            return (plan, names, Set(recordable), try CivilDate.today(on: pool))
        }
        let delegations = Dictionary(uniqueKeysWithValues: plan.delegations.map { ($0.id, $0) })
        let days = Dictionary(grouping: plan.visits, by: \.day).sorted { $0.key < $1.key }
        let calendar = HTML.each(days) { day, visits in
            """
            <section class="day" aria-labelledby="d\(day.dayNumber)">
              <h3 id="d\(day.dayNumber)">\(ConsoleText.weekday(day)), \(day.description)</h3>
              \(HTML.each(visits.sorted { ($0.slot == .morning ? 0 : 1, $0.id) < ($1.slot == .morning ? 0 : 1, $1.id) }) { visit in
                  let delegation = delegations[visit.delegationID]
                  return """
                  <div class="slot"><strong>\(ConsoleText.slot(visit.slot))</strong>
                  <div><a href="#v\(visit.id)">\(names[visit.unitID] ?? "đơn vị \(visit.unitID)")</a> · \(delegation?.name ?? "")
                  · Trưởng đoàn: \(delegation?.leader ?? "")\(HTML.when(!(delegation?.leaderPosition.isEmpty ?? true), ", \(delegation?.leaderPosition ?? "")"))
                  \(HTML.when(visit.doneAt != nil, "<span class=\"state ok\">đã kiểm tra</span>"))</div></div>
                  """
              })
            </section>
            """
        }
        let visitsDetail = HTML.each(plan.visits.sorted { ($0.day, $0.id) < ($1.day, $1.id) }) { visit in
            let form: HTML = recordable.contains(visit.id) ? """
                <form class="stack" method="post" action="/console/visits/\(visit.id)/findings">
                  \(ConsoleLayout.csrf(request.session))
                  <div class="field"><label for="f\(visit.id)">Kết quả kiểm tra</label><textarea id="f\(visit.id)" name="findings" required maxlength="10000"></textarea></div>
                  <div class="field"><label for="r\(visit.id)">Kết luận, kiến nghị (nếu có, đơn vị được kiểm tra khắc phục trong \(plan.remedyDays) ngày)</label><textarea id="r\(visit.id)" name="recommendations" maxlength="10000"></textarea></div>
                  <div class="field"><label for="d\(visit.id)">Ngày ghi nhận (dd/mm/yyyy)</label><input id="d\(visit.id)" name="day" required value="\(max(today, visit.day).description)"></div>
                  <button type="submit">Ghi kết quả</button>
                </form>
                """ : .empty
            return """
                <article id="v\(visit.id)"><h3>\(names[visit.unitID] ?? "") · \(ConsoleText.slot(visit.slot)) \(visit.day.description)</h3>
                \(visit.findings.map { "<p><strong>Kết quả:</strong> \($0)</p>" as HTML })
                \(HTML.when(!(visit.recommendations ?? "").isEmpty, "<p><strong>Kết luận, kiến nghị:</strong> \(visit.recommendations ?? "")</p>"))
                \(HTML.when(visit.remedyDeadlineID != nil, "<p class=\"muted\">Đã giao thời hạn khắc phục (số \(visit.remedyDeadlineID ?? 0)).</p>"))
                \(form)</article>
                """
        }
        return .page(ConsoleLayout.page(plan.title, request, section: .inspections, """
            <dl class="facts">
              <dt>Đơn vị ban hành</dt><dd>\(names[plan.issuingUnitID] ?? "")</dd>
              <dt>Thời gian</dt><dd>\(plan.firstDay.description) – \(plan.lastDay.description)</dd>
              <dt>Trạng thái</dt><dd>\(ConsoleText.planStatus(plan.status))</dd>
              <dt>Đoàn kiểm tra</dt><dd>\(HTML.each(plan.delegations) { "\($0.name): trưởng đoàn \($0.leader)\(HTML.when(!$0.leaderPosition.isEmpty, ", \($0.leaderPosition)")); thành viên \($0.members.joined(separator: ", ")).<br>" })</dd>
            </dl>
            \(HTML.when(plan.status == .rejected, "<p class=\"error\" role=\"alert\"><strong>Lý do từ chối:</strong> \(plan.rejection ?? "")</p>"))
            \(HTML.when(plan.status == .submitted, "<p class=\"notice\">Kế hoạch đang chờ xếp lịch.</p>"))
            <h2>Lịch kiểm tra</h2>
            \(days.isEmpty ? "<p class=\"empty\">Chưa có lịch.</p>" as HTML : "<div class=\"calendar\">\(calendar)</div>")
            <h2>Kết quả từng cuộc kiểm tra</h2>
            \(visitsDetail)
            """))
    }

    static func newForm(_ request: ConsoleRequest) async throws -> ConsoleResponse { try await form(request, error: nil) }

    static func form(_ request: ConsoleRequest, error: String?) async throws -> ConsoleResponse {
        let principal = try request.principal
        let unit = try request.form["unit"].flatMap(Int64.init) ?? request.unit()
        let (found, units, today) = try await request.run { pool in
            guard let found = try UnitDirectory().find(unit, on: pool) else { throw ConsoleError.notFound }
            try Authority.require(.submitInspectionPlan, by: principal, on: .unit(unit), in: pool)
            let today = try CivilDate.today(on: pool)
            let units = try UnitDirectory().subtree(of: unit, on: pool).filter { $0.stands(on: today) && $0.depth == found.depth + 1 }.prefix(200)
            return (found, Array(units), today)
        }
        let form = request.form
        let chosen = Set(form.all("targets"))
        return .page(ConsoleLayout.page("Lập kế hoạch kiểm tra · \(found.name)", request, section: .inspections, """
            \(HTML.when(error != nil, "<p class=\"error\" role=\"alert\">\(error ?? "")</p>"))
            <form class="stack" method="post" action="/console/inspections">
              \(ConsoleLayout.csrf(request.session))
              <input type="hidden" name="unit" value="\(unit)">
              <div class="field"><label for="title">Tên kế hoạch</label><input id="title" name="title" required maxlength="500" value="\(form["title"] ?? "")"></div>
              <div class="field"><label for="firstDay">Từ ngày (dd/mm/yyyy)</label><input id="firstDay" name="firstDay" required value="\(form["firstDay"] ?? today.adding(days: 7).description)"></div>
              <div class="field"><label for="lastDay">Đến ngày (dd/mm/yyyy)</label><input id="lastDay" name="lastDay" required value="\(form["lastDay"] ?? today.adding(days: 35).description)"></div>
              <fieldset><legend>Đơn vị được kiểm tra</legend>
              \(HTML.each(units) { one in
                  "<label><input type=\"checkbox\" name=\"targets\" value=\"\(one.id)\"\(HTML(unsafe: chosen.contains("\(one.id)") ? " checked" : ""))> \(one.name)</label><br>"
              })
              </fieldset>
              <div class="field"><label for="delegation">Tên đoàn kiểm tra</label><input id="delegation" name="delegation" required maxlength="200" value="\(form["delegation"] ?? "Đoàn kiểm tra số 1")"></div>
              <div class="field"><label for="leader">Trưởng đoàn</label><input id="leader" name="leader" required maxlength="200" value="\(form["leader"] ?? "")"></div>
              <div class="field"><label for="leaderPosition">Chức vụ trưởng đoàn</label><input id="leaderPosition" name="leaderPosition" maxlength="200" value="\(form["leaderPosition"] ?? "")"></div>
              <div class="field"><label for="members">Thành viên (mỗi dòng một người)</label><textarea id="members" name="members" required maxlength="5000">\(form["members"] ?? "")</textarea></div>
              <button type="submit">Gửi kế hoạch</button>
            </form>
            """), status: error == nil ? .ok : .badRequest)
    }

    static func submit(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let form = request.form
        let plan: InspectionPlan
        let title: String
        do {
            let unit = try form.id("unit", label: "Đơn vị")
            title = try form.required("title", label: "Tên kế hoạch")
            let first = try day(form, "firstDay", "Từ ngày"), last = try day(form, "lastDay", "Đến ngày")
            let targets = form.all("targets").compactMap(Int64.init)
            guard !targets.isEmpty else { throw ConsoleError.badRequest("Chọn ít nhất một đơn vị được kiểm tra.") }
            guard targets.count <= 500 else { throw ConsoleError.badRequest("Tối đa 500 đơn vị.") }
            let members = try form.required("members", label: "Thành viên").split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard (1...50).contains(members.count) else { throw ConsoleError.badRequest("Thành viên: 1 đến 50 người.") }
            plan = InspectionPlan(
                issuingUnit: unit,
                delegations: [.init(id: 1, name: try form.required("delegation", label: "Tên đoàn"), leader: try form.required("leader", label: "Trưởng đoàn"),
                                    leaderPosition: form["leaderPosition"] ?? "", members: members)],
                targets: targets, firstDay: first, lastDay: last, slots: [.morning, .afternoon], visitsPerDelegationPerDay: 1, holidays: []
            )
        } catch let error as ConsoleError {
            return try await Self.form(request, error: error.detail)
        }
        do {
            let submitted = try await request.run { pool in
                try pool.transaction { connection in
                    try Authority.require(.submitInspectionPlan, by: principal, on: .unit(plan.issuingUnit), in: connection)
                    return try InspectionPlans().submit(plan, title: title, tags: [JobScope.unitTag(plan.issuingUnit)], in: connection)
                }
            }
            return .redirect("/console/inspections/\(submitted.planID)?notice=submitted")
        } catch let error as AuthorityError {
            throw error
        } catch {
            guard let problem = DomainProblem.from(error), problem.status != 404 else { throw error }
            return try await Self.form(request, error: problem.detail)
        }
    }

    static func day(_ form: ConsoleForm, _ name: String, _ label: String) throws(ConsoleError) -> CivilDate {
        let text = try form.required(name, label: label)
        do { return try CivilDate(parsing: text) } catch { throw .badRequest("\(label): \(error)") }
    }

    static func findings(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        let principal = try request.principal
        let id = try request.id("visit")
        let findings = try request.form.required("findings", label: "Kết quả kiểm tra")
        let day = try Self.day(request.form, "day", "Ngày ghi nhận")
        let recommendations = request.form["recommendations"] ?? ""
        let plan = try await request.run { pool -> Int64 in
            guard let plan = try InspectionPlans().planOf(visit: id, on: pool) else { throw ConsoleError.notFound }
            try InspectionVisits().record(visit: id, findings: findings, recommendations: recommendations, on: day, by: principal, pool: pool)
            return plan.planID
        }
        return .redirect("/console/inspections/\(plan)?notice=findings#v\(id)")
    }
}
