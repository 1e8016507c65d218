import Foundation
import Kheo
public import PostgresClient

/// Submits inspection plans: checks them, stores them with their delegations, and
/// enqueues `inspection.schedule` in the same transaction. The scheduling job then
/// stores the visits, or rejects the plan with the reason, whole.
public struct InspectionPlans: Sendable {
    public init() {}

    /// Why a submission was refused before anything was stored.
    public enum SubmissionError: Error, Sendable, Equatable, CustomStringConvertible {
        case invalidPlan(InspectionPlanError)
        case unknownUnit(Int64)
        case outsideIssuer(unit: Int64, issuer: Int64)
        case invalidText(DomainTextError)
        case invalidRemedyDays(Int)
        case delegationNameTwice(String)
        /// A visit of the plan has taken place: the plan stands as scheduled.
        case alreadyBegun(Int64)

        public var description: String {
            switch self {
            case .alreadyBegun(let id): "plan \(id) has begun (a visit's findings are recorded): it can no longer be rescheduled"
            case .invalidRemedyDays(let days): "remedy days must be 1 to 365, not \(days)"
            case .delegationNameTwice(let name): "two delegations are named \"\(name)\": give each its own name"
            case .invalidPlan(let error): "the plan is refused: \(error)"
            case .unknownUnit(let id): "unit \(id) does not exist"
            case .outsideIssuer(let unit, let issuer): "unit \(unit) is not under unit \(issuer), which issues the plan"
            case .invalidText(let error): error.description
            }
        }
    }

    /// The stored plan's id and the id of the job that schedules it.
    public struct Submitted: Sendable, Equatable {
        public let planID: Int64
        public let jobID: Int64
    }

    public func submit(
        _ plan: InspectionPlan, title: String, remedyDays: Int = 30, on pool: PostgresConnectionPool
    ) throws -> Submitted {
        try pool.transaction { connection in try submit(plan, title: title, remedyDays: remedyDays, in: connection) }
    }

    /// As `submit(_:title:remedyDays:on:)`, inside the caller's open transaction. The
    /// scheduling job carries `tags` (the API tags it with the caller's unit).
    public func submit(
        _ plan: InspectionPlan, title: String, remedyDays: Int = 30, tags: [String] = [], in connection: PostgresConnection
    ) throws -> Submitted {
        do {
            try InspectionScheduler.validate(plan)
        } catch {
            throw SubmissionError.invalidPlan(error)
        }
        guard (1...365).contains(remedyDays) else { throw SubmissionError.invalidRemedyDays(remedyDays) }
        let cleanedTitle = try Self.clean(title, field: "plan title")
        let delegations = try plan.delegations.map { delegation in
            (name: try Self.clean(delegation.name, field: "delegation name"),
             leader: try Self.clean(delegation.leader, field: "delegation leader"),
             position: delegation.leaderPosition.isEmpty ? "" : try Self.clean(delegation.leaderPosition, field: "delegation leader's position"),
             members: try delegation.members.map { try Self.clean($0, field: "delegation member") })
        }
        var names = Set<String>()
        for delegation in delegations where !names.insert(delegation.name.lowercased()).inserted {
            throw SubmissionError.delegationNameTwice(delegation.name)
        }
        let found = try connection.query(
            "SELECT id, path FROM danvan.units WHERE id = ANY($1::bigint[])", [plan.issuingUnit] + plan.targets
        )
        var paths: [Int64: [Int64]] = [:]
        for row in found { paths[try row.decode("id")] = try row.decode("path") }
        for unit in [plan.issuingUnit] + plan.targets where paths[unit] == nil { throw SubmissionError.unknownUnit(unit) }
        for target in plan.targets where !(paths[target] ?? []).contains(plan.issuingUnit) {
            throw SubmissionError.outsideIssuer(unit: target, issuer: plan.issuingUnit)
        }
        if let campaign = plan.campaignID { try CampaignCoverage.require(campaign, covers: plan.issuingUnit, in: connection) }
        let holidaysJSON = try Self.json(plan.holidays)
        let planID: Int64 = try connection.query(
            """
            INSERT INTO danvan.inspection_plans (issuing_unit_id, title, first_day, last_day, slots, visits_per_day, holidays, targets, remedy_days,
                                                 campaign_id, pins)
            VALUES ($1, $2, $3::date, $4::date, $5::text[], $6, $7::jsonb, $8::bigint[], $9, $10, $11::jsonb) RETURNING id
            """,
            plan.issuingUnit, cleanedTitle, plan.firstDay.iso, plan.lastDay.iso, plan.slots.map(\.name),
            Int32(plan.visitsPerDelegationPerDay), holidaysJSON, plan.targets, Int32(remedyDays), plan.campaignID,
            String(decoding: try JSONEncoder().encode(plan.pins), as: UTF8.self)
        ).single().decode("id")
        for delegation in delegations {
            let id: Int64 = try connection.query(
                "INSERT INTO danvan.delegations (plan_id, name, leader, leader_position) VALUES ($1, $2, $3, $4) RETURNING id",
                planID, delegation.name, delegation.leader, delegation.position
            ).single().decode("id")
            try connection.query(
                "INSERT INTO danvan.delegation_members (delegation_id, name) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING", id, delegation.members
            )
        }
        var options = EnqueueOptions(queue: DanVanJobs.queue, unique: UniqueOptions(byArgs: ["planID"]))
        options.tags = tags
        var request = try JobRequest(InspectionJobs.Schedule(planID: planID), options: options)
        request.partitionKey = DanVanJobs.unitKey(plan.issuingUnit)
        let job = try Producer().insert(request, on: connection)
        return Submitted(planID: planID, jobID: job.id)
    }

    /// What a rescheduling changes; what is nil stays as it was.
    public struct Changes: Sendable, Equatable {
        public var firstDay: CivilDate?
        public var lastDay: CivilDate?
        public var pins: [InspectionPlan.Pin]?
        public var holidays: [InspectionPlan.Holiday]?

        public init(firstDay: CivilDate? = nil, lastDay: CivilDate? = nil, pins: [InspectionPlan.Pin]? = nil, holidays: [InspectionPlan.Holiday]? = nil) {
            self.firstDay = firstDay
            self.lastDay = lastDay
            self.pins = pins
            self.holidays = holidays
        }
    }

    /// Schedules a plan again with new days, pins or holidays, before any of its visits
    /// has taken place: its unheld visits are dropped, and the scheduling job computes
    /// the next revision and tells each unit its new day ("Điều chỉnh lịch kiểm tra").
    /// A plan that was rejected may be rescheduled the same way. Asks `Authority` for
    /// `.submitInspectionPlan` on the issuing unit.
    public func reschedule(_ planID: Int64, _ changes: Changes, by principal: Principal, in connection: PostgresConnection) throws -> Submitted {
        guard let row = try connection.query(
            """
            SELECT issuing_unit_id, to_char(first_day, 'DD/MM/YYYY') AS first_day, to_char(last_day, 'DD/MM/YYYY') AS last_day, revision,
                   EXISTS (SELECT 1 FROM danvan.inspection_visits AS v WHERE v.plan_id = p.id AND v.done_at IS NOT NULL) AS begun
            FROM danvan.inspection_plans AS p WHERE id = $1 FOR UPDATE
            """,
            planID
        ).first else { throw AuthorityError.notFound(what: "inspection plan", id: planID) }
        let issuer: Int64 = try row.decode("issuing_unit_id")
        try Authority.require(.submitInspectionPlan, by: principal, on: .record("inspection plan", planID, unit: issuer), in: connection)
        guard try !row.decode("begun", as: Bool.self) else { throw SubmissionError.alreadyBegun(planID) }
        let first = try changes.firstDay ?? CivilDate(parsing: try row.decode("first_day"))
        let last = try changes.lastDay ?? CivilDate(parsing: try row.decode("last_day"))
        let revision = Int(try row.decode("revision", as: Int32.self)) + 1
        try connection.query("DELETE FROM danvan.inspection_visits WHERE plan_id = $1", planID)
        try connection.query(
            """
            UPDATE danvan.inspection_plans SET first_day = $2::date, last_day = $3::date, pins = coalesce($4::jsonb, pins),
                   holidays = coalesce($5::jsonb, holidays), revision = $6, status = 'submitted', rejection = NULL
            WHERE id = $1
            """,
            planID, first.iso, last.iso, try changes.pins.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) },
            try changes.holidays.map(Self.json),
            Int32(revision)
        )
        let options = EnqueueOptions(queue: DanVanJobs.queue, unique: UniqueOptions(byArgs: ["planID", "revision"]))
        var request = try JobRequest(InspectionJobs.Schedule(planID: planID, revision: revision), options: options)
        request.partitionKey = DanVanJobs.unitKey(issuer)
        let job = try Producer().insert(request, on: connection)
        return Submitted(planID: planID, jobID: job.id)
    }

    /// Holidays as `inspection_plans.holidays` keeps them (`InspectionJobs.holidays` reads them back).
    static func json(_ holidays: [InspectionPlan.Holiday]) throws -> String {
        let entries = holidays.map { ["name": $0.name, "first": $0.first.iso, "last": $0.last.iso] }
        return String(decoding: try JSONSerialization.data(withJSONObject: entries, options: [.sortedKeys]), as: UTF8.self)
    }

    private static func clean(_ text: String, field: String) throws(SubmissionError) -> String {
        do {
            return try DomainText.clean(text, field: field, maxLength: 500)
        } catch {
            throw .invalidText(error)
        }
    }
}
