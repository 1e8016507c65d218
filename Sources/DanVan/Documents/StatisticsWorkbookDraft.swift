import OfficeFiles
import PostgresClient

/// The figures of a unit and the units under it for a period, from the current
/// statistics snapshot, as a workbook: a summary sheet with every published figure,
/// then one sheet per field. Each sheet's last row is the unit's total, which the
/// rows above sum to (a row for the unit's own records when it has any), so the
/// workbook's `SUM` formulas give the snapshot's figures.
enum StatisticsWorkbookDraft {
    static let summaryColumns = [
        "Đơn vị", "Mô hình đăng ký", "Tập thể", "Cá nhân", "Được công nhận", "Tỷ lệ công nhận", "Được biểu dương",
        "Hội nghị", "Lượt người dự hội nghị", "Lớp tập huấn", "Lượt người tập huấn", "Văn bản ban hành",
        "Kiểm tra theo kế hoạch", "Đã kiểm tra", "Kiểm tra, giám sát", "Tổ chức đảng được kiểm tra, giám sát",
        "Đảng viên được kiểm tra, giám sát", "Nhiệm vụ đúng hạn", "Nhiệm vụ trễ hạn", "Nhiệm vụ quá hạn",
    ]
    static let fieldColumns = ["Đơn vị", "Mô hình đăng ký", "Tập thể", "Cá nhân", "Được công nhận", "Tỷ lệ công nhận", "Được biểu dương"]

    static func summaryValues(_ f: StatisticsFigures?) -> [Int] {
        guard let f else { return Array(repeating: 0, count: summaryColumns.count - 2) }
        return [
            f.modelsRegistered, f.collective, f.individual, f.modelsRecognised, f.modelsCommended, f.conferences, f.conferenceAttendees,
            f.trainings, f.trainingParticipants, f.documentsIssued, f.inspectionsPlanned, f.inspectionsDone, f.oversights,
            f.organisationsOverseen, f.partyMembersOverseen, f.deadlinesMet, f.deadlinesMetLate, f.deadlinesOverdue,
        ]
    }

    static func fieldValues(_ f: StatisticsFigures?) -> [Int] {
        guard let f else { return Array(repeating: 0, count: fieldColumns.count - 2) }
        return [f.modelsRegistered, f.collective, f.individual, f.modelsRecognised, f.modelsCommended]
    }

    static func build(unit unitID: Int64, period periodID: Int64, today: CivilDate, in connection: some PostgresExecutor) throws -> DocumentDraft {
        let rows = try ReportRows.read(unit: unitID, period: periodID, on: connection)
        let issuer = try DocumentIssuer.of(unit: unitID, on: max(today, rows.period.endsOn), in: connection)
        let summary = "số liệu phong trào thi đua \(VietnameseStyle.movement) \(rows.period.name)"
        var blocks: [OfficeDocument.Block] = [
            .paragraph(
                "Số liệu của \(VietnameseStyle.midSentence(rows.unit.unitName)) và các đơn vị trực thuộc \(rows.period.name) "
                    + "(từ ngày \(rows.period.startsOn) đến ngày \(rows.period.endsOn)), theo số liệu thống kê tổng hợp của hệ thống."
            ),
            .table(FiguresTable.make(title: "Tổng hợp", columns: summaryColumns, rows: rows, recognisedAt: 3) { summaryValues($0[nil]) }),
        ]
        for field in Model.Field.allCases {
            let title = field.vietnamese
            blocks.append(.table(FiguresTable.make(title: title, columns: fieldColumns, rows: rows, recognisedAt: 3) { fieldValues($0[field]) }))
        }
        blocks.append(.editable(key: "notes"))
        return DocumentDraft(
            kind: .statisticsWorkbook, unitID: unitID, periodID: periodID, snapshotID: rows.snapshotID,
            title: "Báo cáo \(summary) – \(rows.unit.unitName)", issuer: issuer,
            document: OfficeDocument(
                heading: issuer.heading(kindSymbol: DocumentKind.statisticsWorkbook.kindSymbol, number: nil, day: nil, year: max(today, rows.period.endsOn).year),
                kindTitle: DocumentKind.statisticsWorkbook.kindTitle, summary: summary, blocks: blocks, signature: issuer.signature,
                recipients: issuer.reportsTo + ["Lưu Văn phòng"]
            ),
            parts: [.init(key: "notes", label: "Ghi chú", text: "")]
        )
    }
}
