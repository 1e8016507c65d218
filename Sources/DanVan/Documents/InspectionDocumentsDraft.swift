import OfficeFiles
import PostgresClient

/// The documents of an inspection plan, drawn from the stored plan once scheduled: the
/// plan itself (Kế hoạch kiểm tra: purpose, content, delegations, timetable, remedy
/// rule) and the schedule notice the inspected units receive (Thông báo lịch kiểm
/// tra); and after a visit, the conclusion (Thông báo kết luận kiểm tra) from the
/// delegation's findings and recommendations, with the remedy deadline. They are
/// issued by the plan's unit.
enum InspectionDocumentsDraft {
    /// One visit as the timetable lists it.
    struct Line {
        var day: CivilDate
        var slot: InspectionPlan.Slot
        var unit: String
        var delegation: String
        var leader: String
        var position: String
    }

    static let scheduleColumns = ["STT", "Thời gian", "Đơn vị được kiểm tra", "Đoàn kiểm tra", "Trưởng đoàn"]

    /// The plan "Kế hoạch kiểm tra công tác dân vận năm 2025" is about "kiểm tra công tác
    /// dân vận năm 2025": the kind is the heading's, not the summary's.
    static func subject(of title: String) -> String {
        let lower = title.lowercased()
        for prefix in ["kế hoạch ", "thông báo "] where lower.hasPrefix(prefix) {
            return String(title.dropFirst(prefix.count))
        }
        return title.prefix(1).lowercased() + title.dropFirst()
    }

    static func scheduled(_ planID: Int64, in executor: some PostgresExecutor) throws -> (StoredPlan, [Line]) {
        guard let plan = try InspectionPlans().find(planID, on: executor) else { throw DocumentError.planNotFound(planID) }
        guard plan.status == .scheduled else { throw DocumentError.planNotScheduled(plan: planID, status: plan.status.rawValue) }
        let names: [Int64: String] = try Dictionary(uniqueKeysWithValues: executor.query(
            "SELECT v.id, danvan.unit_name_on(v.unit_id, v.visit_on) AS name FROM danvan.inspection_visits AS v WHERE v.plan_id = $1", planID
        ).map { (try $0.decode("id", as: Int64.self), try $0.decode("name", as: String.self)) })
        let delegations = Dictionary(uniqueKeysWithValues: plan.delegations.map { ($0.id, $0) })
        let lines = plan.visits.map { visit in
            let delegation = delegations[visit.delegationID]
            return Line(
                day: visit.day, slot: visit.slot, unit: names[visit.id] ?? "", delegation: delegation?.name ?? "",
                leader: delegation?.leader ?? "", position: delegation?.leaderPosition ?? ""
            )
        }
        return (plan, lines)
    }

    /// The unit that issues a plan's documents today: the plan's unit, or the unit
    /// that succeeded it when it has since been merged or dissolved (a district's
    /// plan whose visits ran past 01/07/2025 is concluded by the unit that took over
    /// its work).
    static func issuingUnit(_ unit: Int64, on day: CivilDate, in executor: some PostgresExecutor) throws -> Int64 {
        var current = unit
        var seen: Set<Int64> = []
        while seen.insert(current).inserted, let found = try UnitDirectory().find(current, on: executor), !found.stands(on: day),
              let successor = found.successorID {
            current = successor
        }
        return current
    }

    static func timetable(_ lines: [Line]) -> OfficeDocument.Table {
        OfficeDocument.Table(
            title: "Lịch kiểm tra", columns: scheduleColumns,
            rows: lines.enumerated().map { index, line in
                [
                    .text(String(index + 1)), .text("\(line.slot.vietnamese) ngày \(line.day)"), .text(line.unit), .text(line.delegation),
                    .text(line.position.isEmpty ? "Đồng chí \(line.leader)" : "Đồng chí \(line.leader), \(line.position)"),
                ]
            },
            widths: [3, 6, 8, 7, 9]
        )
    }

    static func plan(_ planID: Int64, today: CivilDate, in executor: some PostgresExecutor) throws -> DocumentDraft {
        let (plan, lines) = try scheduled(planID, in: executor)
        let issuing = try issuingUnit(plan.issuingUnitID, on: today, in: executor)
        let issuer = try DocumentIssuer.of(unit: issuing, on: today, in: executor)
        let about = subject(of: plan.title)
        var blocks: [OfficeDocument.Block] = [
            .section("I. MỤC ĐÍCH, YÊU CẦU"), .editable(key: "purpose"),
            .section("II. NỘI DUNG KIỂM TRA"), .editable(key: "content"),
            .section("III. THÀNH PHẦN ĐOÀN KIỂM TRA"),
        ]
        for delegation in plan.delegations {
            blocks.append(.subsection(delegation.name))
            var members = ["Trưởng đoàn: đồng chí \(delegation.leader)" + (delegation.leaderPosition.isEmpty ? "" : ", \(delegation.leaderPosition)")]
            // The head is one of the members, named once.
            members += delegation.members.filter { $0 != delegation.leader }.map { "Thành viên: đồng chí \($0)" }
            blocks.append(.bullets(members))
        }
        blocks.append(.section("IV. THỜI GIAN, LỊCH KIỂM TRA"))
        blocks.append(.paragraph(
            "Từ ngày \(plan.firstDay) đến ngày \(plan.lastDay), \(VietnameseStyle.number(lines.count)) cuộc kiểm tra tại "
                + "\(VietnameseStyle.number(Set(lines.map(\.unit)).count)) đơn vị, theo lịch sau:"
        ))
        blocks.append(.table(timetable(lines)))
        blocks.append(.section("V. TỔ CHỨC THỰC HIỆN"))
        blocks.append(.paragraph(
            "Các đơn vị được kiểm tra chuẩn bị báo cáo và hồ sơ, tài liệu liên quan; các kiến nghị sau kiểm tra (nếu có) phải khắc phục "
                + "trong \(plan.remedyDays) ngày kể từ ngày kiểm tra."
        ))
        blocks.append(.editable(key: "organisation"))
        let parts: [DocumentDraft.Part] = [
            .init(key: "purpose", label: "Mục đích, yêu cầu", text: [
                "Đánh giá kết quả thực hiện công tác dân vận và phong trào thi đua \(VietnameseStyle.movement) ở các đơn vị; kịp thời phát hiện, biểu dương mô hình tiêu biểu, chấn chỉnh những hạn chế.",
                "Việc kiểm tra bảo đảm đúng nội dung, thời gian; khách quan, không gây phiền hà cho đơn vị được kiểm tra.",
            ].joined(separator: "\n")),
            .init(key: "content", label: "Nội dung kiểm tra", text: [
                "Việc ban hành văn bản lãnh đạo, chỉ đạo thực hiện công tác dân vận.",
                "Việc thực hiện Quy chế dân chủ ở cơ sở; việc niêm yết công khai theo quy định; hòm thư góp ý.",
                "Việc tổ chức đối thoại giữa người đứng đầu cấp ủy, chính quyền với Nhân dân.",
                "Kết quả đăng ký, xây dựng các mô hình \(VietnameseStyle.movement) đã đăng ký.",
            ].joined(separator: "\n")),
            .init(key: "organisation", label: "Tổ chức thực hiện (bổ sung)", text:
                "Văn phòng giúp \(issuer.name) theo dõi, tổng hợp kết quả kiểm tra và tham mưu thông báo kết luận sau mỗi cuộc kiểm tra."),
        ]
        return DocumentDraft(
            kind: .inspectionPlan, unitID: issuing, planID: planID, title: "Kế hoạch \(about)", issuer: issuer,
            document: OfficeDocument(
                heading: issuer.heading(kindSymbol: DocumentKind.inspectionPlan.kindSymbol, number: nil, day: nil, year: today.year),
                kindTitle: DocumentKind.inspectionPlan.kindTitle, summary: about, blocks: blocks, signature: issuer.signature,
                recipients: issuer.reportsTo + ["Các đơn vị được kiểm tra", "Thành viên các đoàn kiểm tra", "Lưu Văn phòng"]
            ),
            parts: parts
        )
    }

    static func schedule(_ planID: Int64, today: CivilDate, in executor: some PostgresExecutor) throws -> DocumentDraft {
        let (plan, lines) = try scheduled(planID, in: executor)
        let issuing = try issuingUnit(plan.issuingUnitID, on: today, in: executor)
        let issuer = try DocumentIssuer.of(unit: issuing, on: today, in: executor)
        let about = subject(of: plan.title)
        // "lịch kiểm tra" + "kiểm tra công tác …" would say "kiểm tra" twice.
        let schedule = about.lowercased().hasPrefix("kiểm tra ") ? "lịch \(about)" : "lịch kiểm tra \(about)"
        let blocks: [OfficeDocument.Block] = [
            .paragraph("Thực hiện Kế hoạch \(about), \(issuer.name) thông báo lịch kiểm tra như sau:"),
            .table(timetable(lines)),
            .paragraph("Các kiến nghị sau kiểm tra (nếu có) phải khắc phục trong \(plan.remedyDays) ngày kể từ ngày kiểm tra."),
            .editable(key: "requests"),
        ]
        return DocumentDraft(
            kind: .inspectionSchedule, unitID: issuing, planID: planID, title: "Thông báo \(schedule)",
            issuer: issuer,
            document: OfficeDocument(
                heading: issuer.heading(kindSymbol: DocumentKind.inspectionSchedule.kindSymbol, number: nil, day: nil, year: today.year),
                kindTitle: DocumentKind.inspectionSchedule.kindTitle, summary: schedule, blocks: blocks,
                signature: issuer.signature, recipients: ["Các đơn vị được kiểm tra", "Thành viên các đoàn kiểm tra", "Lưu Văn phòng"]
            ),
            parts: [.init(key: "requests", label: "Đề nghị các đơn vị", text:
                "Đề nghị các đơn vị được kiểm tra chuẩn bị báo cáo kết quả thực hiện, bố trí thành phần làm việc và địa điểm theo lịch trên.")]
        )
    }

    static func conclusion(_ visitID: Int64, today: CivilDate, in executor: some PostgresExecutor) throws -> DocumentDraft {
        guard let row = try executor.query(
            """
            SELECT v.plan_id, v.unit_id, danvan.unit_name_on(v.unit_id, v.visit_on) AS unit_name, to_char(v.visit_on, 'DD/MM/YYYY') AS visit_on,
                   v.slot, v.findings, v.recommendations, v.done_at IS NOT NULL AS done, p.issuing_unit_id, p.title,
                   d.name AS delegation, d.leader, d.leader_position, to_char(dl.due_on, 'DD/MM/YYYY') AS remedy_due
            FROM danvan.inspection_visits AS v
            JOIN danvan.inspection_plans AS p ON p.id = v.plan_id
            JOIN danvan.delegations AS d ON d.id = v.delegation_id
            LEFT JOIN danvan.deadlines AS dl ON dl.id = v.remedy_deadline_id
            WHERE v.id = $1
            """,
            visitID
        ).first else { throw DocumentError.visitNotFound(visitID) }
        guard try row.decode("done", as: Bool.self) else { throw DocumentError.visitNotDone(visitID) }
        let issuing = try issuingUnit(try row.decode("issuing_unit_id"), on: today, in: executor)
        let issuer = try DocumentIssuer.of(unit: issuing, on: today, in: executor)
        let unitName: String = try row.decode("unit_name")
        let day = try CivilDate(parsing: try row.decode("visit_on"))
        let slot = InspectionPlan.Slot(name: try row.decode("slot")) ?? .morning
        let about = subject(of: try row.decode("title"))
        let leader: String = try row.decode("leader"), position: String = try row.decode("leader_position")
        let head = position.isEmpty ? "đồng chí \(leader)" : "đồng chí \(leader), \(position),"
        var blocks: [OfficeDocument.Block] = [
            .paragraph(
                "Thực hiện Kế hoạch \(about), \(slot.vietnamese.lowercased()) ngày \(day), \(try row.decode("delegation", as: String.self)) do \(head) "
                    + "làm trưởng đoàn đã làm việc với \(unitName). Sau khi nghe báo cáo và kiểm tra thực tế, \(issuer.name) kết luận như sau:"
            ),
            .section("1. Kết quả, ưu điểm"), .editable(key: "findings"),
            .section("2. Hạn chế, kiến nghị khắc phục"), .editable(key: "recommendations"),
            .section("3. Thời hạn khắc phục"),
        ]
        if let due = try row.decode("remedy_due", as: String?.self) {
            blocks.append(.paragraph("\(unitName) hoàn thành việc khắc phục các kiến nghị trên và báo cáo kết quả về \(issuer.name) trước ngày \(due)."))
        } else {
            blocks.append(.paragraph("Không có kiến nghị phải khắc phục."))
        }
        return DocumentDraft(
            kind: .inspectionConclusion, unitID: issuing, planID: try row.decode("plan_id"), visitID: visitID,
            concernedUnitID: try row.decode("unit_id"), title: "Thông báo kết luận kiểm tra tại \(unitName)", issuer: issuer,
            document: OfficeDocument(
                heading: issuer.heading(kindSymbol: DocumentKind.inspectionConclusion.kindSymbol, number: nil, day: nil, year: today.year),
                kindTitle: DocumentKind.inspectionConclusion.kindTitle, summary: "kết luận kiểm tra tại \(unitName)", blocks: blocks,
                signature: issuer.signature, recipients: [unitName] + issuer.reportsTo.suffix(1) + ["Thành viên đoàn kiểm tra", "Lưu Văn phòng"]
            ),
            parts: [
                .init(key: "findings", label: "Kết quả, ưu điểm", text: try row.decode("findings", as: String?.self) ?? ""),
                .init(key: "recommendations", label: "Hạn chế, kiến nghị", text: try row.decode("recommendations", as: String?.self) ?? "Không có."),
            ]
        )
    }
}
