public import PostgresClient

/// Something a unit must do by a date: a report, a remedy after an inspection.
public struct Deadline: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case registrationClosing = "registration_closing"
        case sixMonthReview = "six_month_review"
        case annualSummary = "annual_summary"
        case stageSummary = "stage_summary"
        case remedy, evaluation, other

        public var vietnamese: String {
            switch self {
            case .registrationClosing: "hạn đăng ký mô hình"
            case .sixMonthReview: "báo cáo sơ kết 6 tháng"
            case .annualSummary: "báo cáo tổng kết năm"
            case .stageSummary: "sơ kết giai đoạn"
            case .remedy: "khắc phục sau kiểm tra"
            case .evaluation: "đánh giá, công nhận"
            case .other: "nhiệm vụ"
            }
        }
    }

    public enum Status: String, Sendable, CaseIterable, Codable {
        case open, met, withdrawn, overdue
    }

    public let id: Int64
    /// The unit that must do it (the assignee); it alone marks it met.
    public let unitID: Int64
    /// The unit that set it; it, or a unit above it, may withdraw it.
    public let issuerUnitID: Int64
    public let kind: Kind
    public let title: String
    public let dueOn: CivilDate
    public let status: Status
    /// The day it was met, when it was.
    public let metOn: CivilDate?

    /// Met after its due day: counted apart from deadlines met on time everywhere.
    public var metLate: Bool { metOn.map { $0 > dueOn } ?? false }

    static let columns = """
        id, unit_id, issuer_unit_id, kind::text AS kind, title, to_char(due_on, 'DD/MM/YYYY') AS due_on, status::text AS status,
        to_char(met_on, 'DD/MM/YYYY') AS met_on
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        unitID = try row.decode("unit_id")
        issuerUnitID = try row.decode("issuer_unit_id")
        kind = Kind(rawValue: try row.decode("kind")) ?? .other
        title = try row.decode("title")
        dueOn = try CivilDate(parsing: try row.decode("due_on"))
        status = Status(rawValue: try row.decode("status")) ?? .open
        metOn = try row.decode("met_on", as: String?.self).map { try CivilDate(parsing: $0) }
    }
}

/// Why a deadline could not be created or changed; nothing was stored.
public enum DeadlineError: Error, Sendable, Equatable, CustomStringConvertible {
    case unitNotFound(Int64)
    case notFound(Int64)
    case notOpen(id: Int64, status: Deadline.Status)
    case invalidText(DomainTextError)

    public var description: String {
        switch self {
        case .unitNotFound(let id): "unit \(id) does not exist"
        case .notFound(let id): "deadline \(id) does not exist"
        case .notOpen(let id, let status): "deadline \(id) is \(status.rawValue), not open: nothing to change"
        case .invalidText(let error): error.description
        }
    }
}
