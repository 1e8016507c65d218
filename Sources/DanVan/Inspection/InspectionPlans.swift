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

        public var description: String {
            switch self {
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
        let holidays = plan.holidays.map { ["name": $0.name, "first": $0.first.iso, "last": $0.last.iso] }
        let holidaysJSON = String(decoding: try JSONSerialization.data(withJSONObject: holidays, options: [.sortedKeys]), as: UTF8.self)
        let planID: Int64 = try connection.query(
            """
            INSERT INTO danvan.inspection_plans (issuing_unit_id, title, first_day, last_day, slots, visits_per_day, holidays, targets, remedy_days,
                                                 campaign_id)
            VALUES ($1, $2, $3::date, $4::date, $5::text[], $6, $7::jsonb, $8::bigint[], $9, $10) RETURNING id
            """,
            plan.issuingUnit, cleanedTitle, plan.firstDay.iso, plan.lastDay.iso, plan.slots.map(\.name),
            Int32(plan.visitsPerDelegationPerDay), holidaysJSON, plan.targets, Int32(remedyDays), plan.campaignID
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
        let job = try Producer().insert(JobRequest(InspectionJobs.Schedule(planID: planID), options: options), on: connection)
        return Submitted(planID: planID, jobID: job.id)
    }

    private static func clean(_ text: String, field: String) throws(SubmissionError) -> String {
        do {
            return try DomainText.clean(text, field: field, maxLength: 500)
        } catch {
            throw .invalidText(error)
        }
    }
}
