public import PostgresClient

/// What a delegation reports after a visit: its findings (kết quả kiểm tra) and
/// recommendations (kiến nghị).
///
/// Recording them marks the visit done and sends the inspected unit the conclusions,
/// in one transaction. A visit that leaves nothing to fix (no recommendations) also
/// withdraws its remedy deadline, so the unit is not chased for nothing.
public struct InspectionVisits: Sendable {
    /// Why a visit's findings were refused; nothing was stored.
    public enum VisitError: Error, Sendable, Equatable, CustomStringConvertible {
        case notFound(Int64)
        case alreadyRecorded(Int64)
        case beforeVisit(visit: Int64, visitOn: CivilDate, day: CivilDate)
        case invalidText(DomainTextError)

        public var description: String {
            switch self {
            case .notFound(let id): "inspection visit \(id) does not exist"
            case .alreadyRecorded(let id): "the findings of visit \(id) are already recorded"
            case .beforeVisit(let id, let visitOn, let day): "visit \(id) takes place on \(visitOn): its findings cannot be dated \(day)"
            case .invalidText(let error): error.description
            }
        }
    }

    public init() {}

    public func record(
        visit id: Int64, findings: String, recommendations: String, on day: CivilDate, pool: PostgresConnectionPool
    ) throws {
        try pool.transaction { connection in try record(visit: id, findings: findings, recommendations: recommendations, on: day, in: connection) }
    }

    /// Records a visit's findings inside the caller's transaction. `recommendations`
    /// may be empty: nothing to remedy.
    public func record(
        visit id: Int64, findings: String, recommendations: String, on day: CivilDate, in connection: PostgresConnection
    ) throws {
        let cleanedFindings: String
        var cleanedRecommendations = ""
        do {
            cleanedFindings = try DomainText.clean(findings, field: "findings", maxLength: 5000)
            if !recommendations.isEmpty {
                cleanedRecommendations = try DomainText.clean(recommendations, field: "recommendations", maxLength: 5000)
            }
        } catch {
            throw VisitError.invalidText(error)
        }
        guard let visit = try connection.query(
            """
            SELECT v.unit_id, v.remedy_deadline_id, to_char(v.visit_on, 'DD/MM/YYYY') AS visit_on, v.done_at IS NOT NULL AS done, p.title
            FROM danvan.inspection_visits AS v JOIN danvan.inspection_plans AS p ON p.id = v.plan_id
            WHERE v.id = $1 FOR UPDATE OF v
            """,
            id
        ).first else { throw VisitError.notFound(id) }
        guard try !visit.decode("done", as: Bool.self) else { throw VisitError.alreadyRecorded(id) }
        let visitOn = try CivilDate(parsing: try visit.decode("visit_on"))
        guard visitOn <= day else { throw VisitError.beforeVisit(visit: id, visitOn: visitOn, day: day) }
        try connection.query(
            "UPDATE danvan.inspection_visits SET findings = $2, recommendations = $3, done_at = danvan.now() WHERE id = $1",
            id, cleanedFindings, cleanedRecommendations.isEmpty ? nil : cleanedRecommendations
        )
        let unit: Int64 = try visit.decode("unit_id")
        let title: String = try visit.decode("title")
        let remedy = try visit.decode("remedy_deadline_id", as: Int64?.self)
        var body = "Kết luận kiểm tra ngày \(visitOn) theo kế hoạch \"\(title)\": \(cleanedFindings)"
        if cleanedRecommendations.isEmpty {
            body += " Không có kiến nghị phải khắc phục."
        } else {
            body += " Kiến nghị: \(cleanedRecommendations)"
        }
        try Notifications.post(
            to: unit, kind: "inspection.concluded", title: "Kết luận kiểm tra: \(title)", body: body,
            deadline: cleanedRecommendations.isEmpty ? nil : remedy, key: "concluded:\(id)", on: connection
        )
        if cleanedRecommendations.isEmpty, let remedy, try DeadlineBook().find(remedy, on: connection)?.status == .open {
            _ = try DeadlineBook().withdraw(remedy, in: connection)
        }
    }
}
