public import PostgresClient

/// What units report doing: conferences held (with sessions and attendees), trainings
/// (classes and participants), documents issued. The statistics count them by the day
/// they were held.
public struct ActivityLog: Sendable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case conference, training, document
    }

    /// Why an activity was refused; nothing was stored.
    public enum ActivityError: Error, Sendable, Equatable, CustomStringConvertible {
        case unitNotFound(Int64)
        case invalidCount(String)
        case invalidText(DomainTextError)

        public var description: String {
            switch self {
            case .unitNotFound(let id): "unit \(id) does not exist"
            case .invalidCount(let reason): reason
            case .invalidText(let error): error.description
            }
        }
    }

    public init() {}

    /// Records an activity and returns its id.
    @discardableResult
    public func record(
        _ kind: Kind, by unit: Int64, title: String, on day: CivilDate, sessions: Int = 1, attendees: Int = 0, campaign: Int64? = nil,
        on executor: some PostgresExecutor
    ) throws -> Int64 {
        if let campaign { try CampaignCoverage.require(campaign, covers: unit, in: executor) }
        let cleaned: String
        do {
            cleaned = try DomainText.clean(title, field: "activity title")
        } catch {
            throw ActivityError.invalidText(error)
        }
        guard sessions >= 1 else { throw ActivityError.invalidCount("sessions must be 1 or more, not \(sessions)") }
        guard attendees >= 0 else { throw ActivityError.invalidCount("attendees cannot be negative (\(attendees))") }
        do {
            return try executor.query(
                """
                INSERT INTO danvan.activities (unit_id, kind, title, held_on, sessions, attendees, campaign_id)
                VALUES ($1, $2::danvan.activity_kind, $3, $4::date, $5, $6, $7) RETURNING id
                """,
                unit, kind.rawValue, cleaned, day.iso, Int32(sessions), Int32(attendees), campaign
            ).single().decode("id")
        } catch {
            guard error.sqlState == "23503" else { throw error }
            throw ActivityError.unitNotFound(unit)
        }
    }
}
