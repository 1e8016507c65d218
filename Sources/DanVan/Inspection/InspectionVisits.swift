public import PostgresClient

/// What a delegation reports after a visit: its findings (kết quả kiểm tra) and
/// recommendations (kiến nghị).
///
/// Recording them marks the visit done, creates the remedy (khắc phục) deadline when
/// there are recommendations (due the plan's remedy days after the visit), and sends
/// the inspected unit the conclusions naming that deadline, in one transaction. The
/// deadline scan then reminds and escalates it like any other.
public struct InspectionVisits: Sendable {
    /// Why a visit's findings were refused; nothing was stored.
    public enum VisitError: Error, Sendable, Equatable, CustomStringConvertible {
        case alreadyRecorded(Int64)
        case beforeVisit(visit: Int64, visitOn: CivilDate, day: CivilDate)
        case invalidText(DomainTextError)

        public var description: String {
            switch self {
            case .alreadyRecorded(let id): "the findings of visit \(id) are already recorded"
            case .beforeVisit(let id, let visitOn, let day): "visit \(id) takes place on \(visitOn): its findings cannot be dated \(day)"
            case .invalidText(let error): error.description
            }
        }
    }

    public init() {}

    public func record(
        visit id: Int64, findings: String, recommendations: String, on day: CivilDate, by principal: Principal, pool: PostgresConnectionPool
    ) throws {
        try pool.transaction { connection in
            try record(visit: id, findings: findings, recommendations: recommendations, on: day, by: principal, in: connection)
        }
    }

    /// Records a visit's findings inside the caller's transaction. `recommendations`
    /// may be empty: nothing to remedy. Findings belong to the inspecting unit (the
    /// plan's issuer), which is also the issuer of the remedy deadline.
    public func record(
        visit id: Int64, findings: String, recommendations: String, on day: CivilDate, by principal: Principal,
        in connection: PostgresConnection
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
            SELECT v.unit_id, to_char(v.visit_on, 'DD/MM/YYYY') AS visit_on, v.done_at IS NOT NULL AS done, p.title, p.remedy_days,
                   p.issuing_unit_id, p.campaign_id
            FROM danvan.inspection_visits AS v JOIN danvan.inspection_plans AS p ON p.id = v.plan_id
            WHERE v.id = $1 FOR UPDATE OF v
            """,
            id
        ).first else { throw AuthorityError.notFound(what: "inspection visit", id: id) }
        let unit: Int64 = try visit.decode("unit_id")
        let inspecting: Int64 = try visit.decode("issuing_unit_id")
        try Authority.require(.recordFindings, by: principal, on: .visit(id, inspecting: inspecting, inspected: unit), in: connection)
        guard try !visit.decode("done", as: Bool.self) else { throw VisitError.alreadyRecorded(id) }
        let visitOn = try CivilDate(parsing: try visit.decode("visit_on"))
        guard visitOn <= day else { throw VisitError.beforeVisit(visit: id, visitOn: visitOn, day: day) }
        let title: String = try visit.decode("title")
        var remedy: Deadline?
        if !cleanedRecommendations.isEmpty {
            remedy = try DeadlineBook().create(
                for: unit, kind: .remedy, title: "Khắc phục sau kiểm tra: \(title)",
                due: visitOn.adding(days: Int(try visit.decode("remedy_days", as: Int32.self))),
                by: .system, issuer: inspecting, announce: false, campaign: try visit.decode("campaign_id"), in: connection
            )
        }
        try connection.query(
            """
            UPDATE danvan.inspection_visits SET findings = $2, recommendations = $3, done_at = danvan.now(), remedy_deadline_id = $4
            WHERE id = $1
            """,
            id, cleanedFindings, cleanedRecommendations.isEmpty ? nil : cleanedRecommendations, remedy?.id
        )
        let plan = title.lowercased().hasPrefix("kế hoạch") ? title : "kế hoạch \u{201C}\(title)\u{201D}"
        var body = "Kết luận kiểm tra ngày \(visitOn) theo \(plan): \(cleanedFindings)"
        if let remedy {
            body += " Kiến nghị: \(cleanedRecommendations) Hạn khắc phục: \(remedy.dueOn)."
        } else {
            body += " Không có kiến nghị phải khắc phục."
        }
        try Notifications.post(
            to: unit, kind: "inspection.concluded", title: "Kết luận kiểm tra: \(title)", body: body,
            deadline: remedy?.id, key: "concluded:\(id)", on: connection
        )
    }
}
