/// The documents an office produces from Kheo's data, each with the abbreviation of
/// its kind that goes into its number ("15-BC/…"), as the Party's guidance on
/// documents lists them: BC for a report, KH for a plan, TB for a notice.
public enum DocumentKind: String, Sendable, CaseIterable, Codable {
    /// A six-month review (sơ kết 6 tháng), an annual summary (tổng kết năm) or a stage
    /// review (sơ kết giai đoạn), by the period's kind.
    case reviewReport = "review_report"
    /// Kế hoạch kiểm tra: purpose, content, delegations and timetable of a plan.
    case inspectionPlan = "inspection_plan"
    /// Thông báo lịch kiểm tra: the visits, for the units to be inspected.
    case inspectionSchedule = "inspection_schedule"
    /// Thông báo kết luận kiểm tra: a visit's findings, recommendations and remedy
    /// deadline.
    case inspectionConclusion = "inspection_conclusion"
    /// Báo cáo số liệu: the statistics workbook (.xlsx), a sheet per field.
    case statisticsWorkbook = "statistics_workbook"

    public var kindSymbol: String {
        switch self {
        case .reviewReport, .statisticsWorkbook: "BC"
        case .inspectionPlan: "KH"
        case .inspectionSchedule, .inspectionConclusion: "TB"
        }
    }

    /// The kind in capitals, above the title.
    public var kindTitle: String {
        switch self {
        case .reviewReport, .statisticsWorkbook: "BÁO CÁO"
        case .inspectionPlan: "KẾ HOẠCH"
        case .inspectionSchedule, .inspectionConclusion: "THÔNG BÁO"
        }
    }

    /// The file an office signs and files: a workbook for the figures, a Word
    /// document for everything else.
    public var mainFormat: DocumentFormat { self == .statisticsWorkbook ? .xlsx : .docx }

    /// The parts an official may write, in the order the document shows them; every
    /// kind ends with the signer's name.
    public var partKeys: [String] {
        switch self {
        case .reviewReport: ["introduction", "leadership", "causes", "directions", "proposals", "signer"]
        case .inspectionPlan: ["purpose", "content", "organisation", "signer"]
        case .inspectionSchedule: ["requests", "signer"]
        case .inspectionConclusion: ["findings", "recommendations", "signer"]
        case .statisticsWorkbook: ["notes", "signer"]
        }
    }

    /// What it is drawn from.
    public var source: String {
        switch self {
        case .reviewReport, .statisticsWorkbook: "period"
        case .inspectionPlan, .inspectionSchedule: "plan"
        case .inspectionConclusion: "visit"
        }
    }
}

/// The files a document is stored in: its main file (.docx or .xlsx), and HTML and
/// CSV rendered from the same document model.
public enum DocumentFormat: String, Sendable, CaseIterable, Codable {
    case docx, xlsx, html, csv

    public var contentType: String {
        switch self {
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .html: "text/html; charset=utf-8"
        case .csv: "text/csv; charset=utf-8"
        }
    }
}
