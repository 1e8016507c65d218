import OfficeFiles
import PostgresClient

/// A six-month review, annual summary or stage review of a unit for a period, drawn
/// from the current statistics snapshot: the movement's figures in sentences as an
/// office writes them (counts by field, collectives and individuals, the comparison
/// with the period before, recognition and commendation, inspections, deadlines), the
/// commended models with their units, the units behind their registration targets,
/// and a table per unit below. The leadership's account, the causes of the
/// shortcomings and the directions are editable parts with defaults drawn from the
/// same figures.
enum ReviewReportDraft {
    static let tableColumns = [
        "Đơn vị", "Mô hình đăng ký", "Kinh tế", "Văn hóa – Xã hội", "Quốc phòng – An ninh", "Xây dựng hệ thống chính trị",
        "Được công nhận", "Tỷ lệ công nhận (%)", "Được biểu dương",
    ]

    /// `headingDay`: the day whose issuing body heads the document; a draft's is the
    /// day it is written (not before the period's end), the quick report's
    /// (`report.generate`) the period's last day, so that it reads the same whatever
    /// the tree became since.
    static func build(
        unit unitID: Int64, period periodID: Int64, today: CivilDate, headingDay: CivilDate? = nil, in connection: some PostgresExecutor
    ) throws -> DocumentDraft {
        let rows = try ReportRows.read(unit: unitID, period: periodID, on: connection)
        let period = rows.period
        let issuedBy = headingDay ?? max(today, period.endsOn)
        let issuer = try DocumentIssuer.of(unit: unitID, on: issuedBy, in: connection)
        let total = rows.unit.total
        let n = VietnameseStyle.number
        let count = { (value: Int?) in n(value ?? 0) }
        let place = "toàn \(VietnameseStyle.midSentence(rows.unit.unitName))"
        let what: String
        switch period.kind {
        case .sixMonth: what = "sơ kết \(period.name)"
        case .year: what = "tổng kết \(period.name)"
        case .stage: what = "sơ kết giai đoạn \(period.name)"
        }
        let summary = "\(what) phong trào thi đua \(VietnameseStyle.movement)"
        var blocks: [OfficeDocument.Block] = [.editable(key: "introduction")]

        // I. Results.
        blocks.append(.section("I. KẾT QUẢ ĐẠT ĐƯỢC"))
        blocks.append(.subsection("1. Công tác lãnh đạo, chỉ đạo, tuyên truyền"))
        blocks.append(.paragraph(
            "Trong kỳ, \(place) đã ban hành \(count(total?.documentsIssued)) văn bản lãnh đạo, chỉ đạo, hướng dẫn thực hiện phong trào; "
                + "tổ chức \(count(total?.conferences)) hội nghị với \(count(total?.conferenceAttendees)) lượt người tham dự và "
                + "\(count(total?.trainings)) lớp tập huấn với \(count(total?.trainingParticipants)) lượt người tham gia."
        ))
        blocks.append(.editable(key: "leadership"))

        blocks.append(.subsection("2. Kết quả đăng ký, xây dựng mô hình"))
        let fields = Model.Field.allCases.map { field in "lĩnh vực \(field.vietnamese.lowercased()) \(count(rows.unit.figures[field]?.modelsRegistered)) mô hình" }
        var registered = "Toàn \(VietnameseStyle.midSentence(rows.unit.unitName)) có \(count(total?.modelsRegistered)) mô hình \(VietnameseStyle.movement) "
            + "đăng ký (\(count(total?.collective)) tập thể, \(count(total?.individual)) cá nhân), trong đó: \(fields.joined(separator: "; "))."
        if let previous = try previousPeriod(of: period, in: connection),
           let before = try StatisticsFigures.read(unit: unitID, period: previous.id, on: connection).first(where: { $0.field == nil }) {
            let difference = (total?.modelsRegistered ?? 0) - before.modelsRegistered
            let change = difference == 0 ? "bằng số mô hình" : difference > 0 ? "tăng \(n(difference)) mô hình" : "giảm \(n(-difference)) mô hình"
            registered += " So với \(previous.name) (\(n(before.modelsRegistered)) mô hình), \(change)."
        }
        blocks.append(.paragraph(registered))
        let rate = total?.recognitionRate.map { VietnameseStyle.decimal($0) + "%" } ?? "–"
        blocks.append(.paragraph(
            "Qua đánh giá, \(count(total?.modelsRecognised)) mô hình được công nhận (tỷ lệ \(rate) số mô hình đăng ký), "
                + "\(count(total?.modelsCommended)) mô hình được biểu dương."
        ))
        blocks.append(.table(figuresTable(rows)))

        blocks.append(.subsection("3. Mô hình tiêu biểu"))
        let commended = try commendedModels(unit: unitID, period: periodID, endsOn: period.endsOn, in: connection)
        if commended.isEmpty {
            blocks.append(.paragraph("Trong kỳ chưa có mô hình được biểu dương."))
        } else {
            blocks.append(.paragraph("Các mô hình được biểu dương:"))
            let shown = commended.prefix(20)
            var lines = shown.map { model in
                let whose = model.holder == model.unit ? model.holder : "\(model.holder) (\(model.unit))"
                return "Mô hình “\(model.title)” của \(whose), lĩnh vực \(model.field.vietnamese.lowercased())"
            }
            if commended.count > shown.count { lines.append("và \(n(commended.count - shown.count)) mô hình khác") }
            blocks.append(.bullets(lines))
        }

        blocks.append(.subsection("4. Công tác kiểm tra, giám sát và thực hiện nhiệm vụ"))
        blocks.append(.paragraph(
            "Đã kiểm tra \(count(total?.inspectionsDone))/\(count(total?.inspectionsPlanned)) cuộc theo kế hoạch; thực hiện "
                + "\(count(total?.oversights)) cuộc kiểm tra, giám sát đối với \(count(total?.organisationsOverseen)) tổ chức đảng và "
                + "\(count(total?.partyMembersOverseen)) đảng viên. Các nhiệm vụ có thời hạn: \(count(total?.deadlinesMet)) nhiệm vụ hoàn thành đúng hạn, "
                + "\(count(total?.deadlinesMetLate)) nhiệm vụ hoàn thành trễ hạn, \(count(total?.deadlinesOverdue)) nhiệm vụ quá hạn chưa hoàn thành."
        ))

        // II. Shortcomings: the units behind their targets, what is overdue.
        blocks.append(.section("II. HẠN CHẾ, NGUYÊN NHÂN"))
        let behind = try unitsBehind(unit: unitID, period: period, in: connection)
        if behind.isEmpty {
            blocks.append(.paragraph("Các đơn vị đều đăng ký đủ số lượng mô hình theo chỉ tiêu."))
        } else {
            blocks.append(.paragraph("Còn \(n(behind.count)) đơn vị chưa đăng ký đủ số lượng mô hình theo chỉ tiêu:"))
            let shown = behind.prefix(20)
            var lines = shown.map { $0 }
            if behind.count > shown.count { lines.append("và \(n(behind.count - shown.count)) đơn vị khác") }
            blocks.append(.bullets(lines))
        }
        if let overdue = total?.deadlinesOverdue, overdue > 0 {
            blocks.append(.paragraph("Còn \(n(overdue)) nhiệm vụ quá hạn chưa hoàn thành; \(count(total?.deadlinesMetLate)) nhiệm vụ hoàn thành trễ hạn."))
        }
        blocks.append(.editable(key: "causes"))

        blocks.append(.section(period.kind == .year ? "III. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM TỚI" : "III. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI"))
        blocks.append(.editable(key: "directions"))
        blocks.append(.section("IV. ĐỀ XUẤT, KIẾN NGHỊ"))
        blocks.append(.editable(key: "proposals"))

        let midUnit = VietnameseStyle.midSentence(rows.unit.unitName)
        let parts: [DocumentDraft.Part] = [
            .init(key: "introduction", label: "Mở đầu", text:
                "Thực hiện kế hoạch triển khai phong trào thi đua \(VietnameseStyle.movement), \(issuer.name) báo cáo kết quả \(what) trên địa bàn \(midUnit) như sau:"),
            .init(key: "leadership", label: "Công tác lãnh đạo, chỉ đạo (bổ sung)", text:
                "Cấp ủy, chính quyền, Mặt trận Tổ quốc và các đoàn thể quan tâm lãnh đạo, chỉ đạo; việc đăng ký, xây dựng mô hình được gắn với nhiệm vụ chính trị của từng đơn vị."),
            .init(key: "causes", label: "Nguyên nhân của hạn chế", text: behind.isEmpty && (total?.deadlinesOverdue ?? 0) == 0
                ? "Không có hạn chế lớn trong kỳ."
                : "Một số cấp ủy, đơn vị chưa quan tâm đúng mức đến việc đăng ký và xây dựng mô hình; việc theo dõi, đôn đốc thực hiện nhiệm vụ có lúc chưa kịp thời."),
            .init(key: "directions", label: "Phương hướng, nhiệm vụ", text: [
                "Tiếp tục đẩy mạnh phong trào thi đua \(VietnameseStyle.movement), gắn với thực hiện nhiệm vụ chính trị của địa phương, đơn vị.",
                "Đôn đốc các đơn vị chưa đăng ký đủ chỉ tiêu hoàn thành việc đăng ký; theo dõi, hướng dẫn xây dựng và nhân rộng mô hình.",
                "Kiểm tra, giám sát theo kế hoạch; kịp thời biểu dương, khen thưởng các mô hình tiêu biểu.",
            ].joined(separator: "\n")),
            .init(key: "proposals", label: "Đề xuất, kiến nghị", text: "Không có."),
        ]
        let title = "Báo cáo \(summary) – \(rows.unit.unitName)"
        return DocumentDraft(
            kind: .reviewReport, unitID: unitID, periodID: periodID, snapshotID: rows.snapshotID, title: title, issuer: issuer,
            document: OfficeDocument(
                heading: issuer.heading(kindSymbol: DocumentKind.reviewReport.kindSymbol, number: nil, day: nil, year: issuedBy.year),
                kindTitle: DocumentKind.reviewReport.kindTitle, summary: summary, blocks: blocks, signature: issuer.signature,
                recipients: issuer.reportsTo + ["Các đơn vị trực thuộc", "Lưu Văn phòng"]
            ),
            parts: parts
        )
    }

    /// The unit's figures per unit under it (`FiguresTable`): registered in all and by
    /// field, recognised, the rate, commended.
    static func figuresTable(_ rows: ReportRows) -> OfficeDocument.Table {
        FiguresTable.make(
            title: "Kết quả đăng ký, công nhận mô hình", columns: tableColumns, rows: rows, recognisedAt: 5, widths: [7, 3, 3, 3, 3, 3, 3, 3, 3]
        ) { figures in
            let total = figures[nil]
            return [
                total?.modelsRegistered ?? 0,
                figures[.economy]?.modelsRegistered ?? 0, figures[.cultureSociety]?.modelsRegistered ?? 0,
                figures[.defenceSecurity]?.modelsRegistered ?? 0, figures[.politicalSystem]?.modelsRegistered ?? 0,
                total?.modelsRecognised ?? 0, total?.modelsCommended ?? 0,
            ]
        }
    }

    /// The period of the same kind that ended last before this one began.
    static func previousPeriod(of period: Period, in executor: some PostgresExecutor) throws -> Period? {
        try executor.query(
            "SELECT \(Period.columns) FROM danvan.periods AS p WHERE p.kind = $1::danvan.period_kind AND p.ends_on < $2::date ORDER BY p.ends_on DESC, p.id LIMIT 1",
            period.kind.rawValue, period.startsOn.iso
        ).first.map(Period.init(row:))
    }

    /// Where each unit's records counted on the day `$2` (`unit_id`, `counts_for`).
    static let lineageOnDay = UnitLineageSQL.lineage(on: "$2::date")

    struct Commended {
        var title: String
        var holder: String
        var unit: String
        var field: Model.Field
    }

    /// The models counted for the unit in the period (as the statistics count them)
    /// that were commended, by field and unit.
    static func commendedModels(unit: Int64, period: Int64, endsOn: CivilDate, in executor: some PostgresExecutor) throws -> [Commended] {
        try executor.query(
            """
            WITH \(lineageOnDay)
            SELECT m.title, m.holder_name, danvan.unit_name_on(m.unit_id, p.ends_on) AS unit_name, m.field::text AS field
            FROM danvan.periods AS p
            JOIN lineage AS l ON l.counts_for = $1
            JOIN danvan.models AS m ON m.unit_id = l.unit_id
            JOIN danvan.campaigns AS mc ON mc.id = m.campaign_id
            WHERE p.id = $3
              AND CASE WHEN p.campaign_id IS NULL THEN m.registered_on BETWEEN p.starts_on AND p.ends_on
                       ELSE m.registered_on <= p.ends_on AND p.campaign_id IN (mc.id, mc.stage_id) END
              AND EXISTS (SELECT 1 FROM danvan.model_transitions AS t WHERE t.model_id = m.id AND t.to_state = 'commended')
            ORDER BY m.field, unit_name, m.title, m.id
            """,
            unit, endsOn.iso, period
        ).map { row in
            Commended(
                title: try row.decode("title"), holder: try row.decode("holder_name"), unit: try row.decode("unit_name"),
                field: try Model.Field(parsing: try row.decode("field"))
            )
        }
    }

    /// "Xã Mỹ Cẩm: 5/8 mô hình tập thể, 3/5 mô hình cá nhân" for each district or
    /// commune under `unit` on the period's last day (named as it was then) that
    /// registered fewer models than its target in the period's campaign: a 2024
    /// report lists the communes of 2024 even after they moved or merged.
    static func unitsBehind(unit: Int64, period: Period, in executor: some PostgresExecutor) throws -> [String] {
        let campaign: Int64? = try period.campaignID ?? executor.query(
            """
            SELECT c.id FROM danvan.campaigns AS c JOIN danvan.units AS u ON u.id = $1
            WHERE c.unit_id = ANY (u.path) AND c.starts_on <= $3::date AND c.ends_on >= $2::date
            ORDER BY c.starts_on DESC, c.id DESC LIMIT 1
            """,
            unit, period.startsOn.iso, period.endsOn.iso
        ).first?.decode("id")
        guard let campaign else { return [] }
        let under: [Int64: String] = try Dictionary(uniqueKeysWithValues: executor.query(
            """
            WITH \(lineageOnDay)
            SELECT l.unit_id AS id, danvan.unit_name_on(l.unit_id, $2::date) AS name
            FROM lineage AS l JOIN danvan.units AS u ON u.id = l.unit_id
            WHERE l.counts_for = $1 AND l.unit_id <> $1 AND u.kind IN ('district', 'commune')
              AND u.valid_from <= $2::date AND (u.valid_until IS NULL OR u.valid_until > $2::date)
            """,
            unit, period.endsOn.iso
        ).map { (try $0.decode("id", as: Int64.self), try $0.decode("name", as: String.self)) })
        // Within the province: a unit under `unit` then may sit elsewhere in today's tree.
        let root: Int64 = try executor.query("SELECT path[1] AS root FROM danvan.units WHERE id = $1", unit).single().decode("root")
        let progress = try RegistrationTargets.progress(campaign: campaign, within: root, only: Array(under.keys), on: executor)
            .filter { under[$0.unitID] != nil && $0.shortfall > 0 }
        var order: [Int64] = []
        var lines: [Int64: (String, [String])] = [:]
        for entry in progress {
            if lines[entry.unitID] == nil { order.append(entry.unitID); lines[entry.unitID] = (under[entry.unitID] ?? entry.unitName, []) }
            let holder = entry.holder == .collective ? "tập thể" : "cá nhân"
            lines[entry.unitID]?.1.append("\(entry.registered)/\(entry.target) mô hình \(holder)")
        }
        return order.compactMap { id in lines[id].map { "\($0.0): \($0.1.joined(separator: ", "))" } }
    }
}
