public import PostgresClient

/// The published figures of one unit (with everything under it) for one period, in
/// one field or all of them, from the current snapshot.
public struct StatisticsFigures: Sendable, Equatable, Codable {
    public var unitID: Int64
    public var periodID: Int64
    /// `nil` for all four fields together.
    public var field: Model.Field?
    public var modelsRegistered: Int
    public var modelsRecognised: Int
    public var modelsCommended: Int
    public var collective: Int
    public var individual: Int
    /// Met on or before the due day.
    public var deadlinesMet: Int
    /// Met after the due day.
    public var deadlinesMetLate: Int
    public var deadlinesOverdue: Int
    public var conferences: Int
    public var conferenceAttendees: Int
    public var trainings: Int
    public var trainingParticipants: Int
    public var documentsIssued: Int
    public var inspectionsPlanned: Int
    public var inspectionsDone: Int
    /// Inspections and supervisions (kiểm tra, giám sát) of party organisations and
    /// members, and how many organisations and members they covered.
    public var oversights: Int
    public var organisationsOverseen: Int
    public var partyMembersOverseen: Int
    /// The snapshot they come from.
    public var snapshotID: Int64

    /// Recognised over registered, in percent with one decimal as published (57.7).
    public var recognitionRate: Double? {
        guard modelsRegistered > 0 else { return nil }
        return (Double(modelsRecognised) * 1000 / Double(modelsRegistered)).rounded() / 10
    }

    /// Every field's figures and the total for a unit and period, read in one
    /// statement with the current snapshot's id; empty before the first
    /// regeneration. Fields with nothing registered are absent.
    public static func read(unit: Int64, period: Int64, on executor: some PostgresExecutor) throws -> [StatisticsFigures] {
        try read(units: [unit], period: period, on: executor)[unit] ?? []
    }

    /// The figures of each of `units` for a period, by unit, in one statement: a report
    /// of fifty communes is one index read of one snapshot, not fifty reads that a
    /// regeneration committing in between could split across two snapshots. Units
    /// without figures are absent.
    public static func read(units: [Int64], period: Int64, on executor: some PostgresExecutor) throws -> [Int64: [StatisticsFigures]] {
        guard !units.isEmpty else { return [:] }
        return Dictionary(grouping: try rows(units: units, period: period, on: executor), by: \.unitID)
    }

    /// Through the primary key (unit, period, field). The snapshot's id is read in the
    /// same statement, so it names the figures returned even if a regeneration commits
    /// meanwhile.
    private static func rows(units: [Int64], period: Int64, on executor: some PostgresExecutor) throws -> [StatisticsFigures] {
        try executor.query(
            """
            SELECT (SELECT snapshot_id FROM danvan.current_statistics) AS snapshot_id, s.unit_id, s.period_id, s.field, s.models_registered, s.models_recognised, s.models_commended,
                   s.collective, s.individual, s.deadlines_met, s.deadlines_met_late, s.deadlines_overdue, s.conferences, s.conference_attendees,
                   s.trainings, s.training_participants, s.documents_issued, s.inspections_planned, s.inspections_done,
                   s.oversights, s.organisations_overseen, s.party_members_overseen
            FROM danvan.statistics AS s
            WHERE s.unit_id = ANY ($1::bigint[]) AND s.period_id = $2
            ORDER BY s.unit_id, s.field
            """,
            units, period
        ).map { row in
            let field: String = try row.decode("field")
            return StatisticsFigures(
                unitID: try row.decode("unit_id"), periodID: try row.decode("period_id"),
                field: field == "all" ? nil : try Model.Field(parsing: field),
                modelsRegistered: Int(try row.decode("models_registered", as: Int32.self)),
                modelsRecognised: Int(try row.decode("models_recognised", as: Int32.self)),
                modelsCommended: Int(try row.decode("models_commended", as: Int32.self)),
                collective: Int(try row.decode("collective", as: Int32.self)),
                individual: Int(try row.decode("individual", as: Int32.self)),
                deadlinesMet: Int(try row.decode("deadlines_met", as: Int32.self)),
                deadlinesMetLate: Int(try row.decode("deadlines_met_late", as: Int32.self)),
                deadlinesOverdue: Int(try row.decode("deadlines_overdue", as: Int32.self)),
                conferences: Int(try row.decode("conferences", as: Int32.self)),
                conferenceAttendees: Int(try row.decode("conference_attendees", as: Int32.self)),
                trainings: Int(try row.decode("trainings", as: Int32.self)),
                trainingParticipants: Int(try row.decode("training_participants", as: Int32.self)),
                documentsIssued: Int(try row.decode("documents_issued", as: Int32.self)),
                inspectionsPlanned: Int(try row.decode("inspections_planned", as: Int32.self)),
                inspectionsDone: Int(try row.decode("inspections_done", as: Int32.self)),
                oversights: Int(try row.decode("oversights", as: Int64.self)),
                organisationsOverseen: Int(try row.decode("organisations_overseen", as: Int64.self)),
                partyMembersOverseen: Int(try row.decode("party_members_overseen", as: Int64.self)),
                snapshotID: try row.decode("snapshot_id")
            )
        }
    }
}
