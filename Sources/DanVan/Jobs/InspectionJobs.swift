import Foundation
public import Kheo
import Logging
import PostgresClient

/// `inspection.schedule`: computes a submitted plan's visits and stores them with the
/// plan's new status and each inspected unit's notice, all in the transaction that
/// completes the job; or rejects the plan with the reason and stores no visit. A
/// visit's remedy (khắc phục) deadline follows the visit, once its findings name
/// something to fix (`InspectionVisits`).
public enum InspectionJobs {
    public struct Schedule: JobArgs {
        public static let kind = "inspection.schedule"
        public var planID: Int64
        /// The plan's schedule revision (absent for the first): each rescheduling is a
        /// job of its own.
        public var revision: Int?

        public init(planID: Int64, revision: Int? = nil) {
            self.planID = planID
            self.revision = revision
        }

        /// Its kind unless the enqueue names the issuing unit (as `InspectionPlans` does).
        public var partitionKey: String? { Self.kind }
    }

    public static func register(in registry: inout JobRegistry) {
        registry.register(ScheduleHandler())
    }

    struct ScheduleHandler: JobHandler {
        func run(_ args: Schedule, context: JobContext) throws -> JobResult {
            try context.transaction { connection in
                guard let plan = try connection.query(
                    """
                    SELECT issuing_unit_id, title, to_char(first_day, 'DD/MM/YYYY') AS first_day, to_char(last_day, 'DD/MM/YYYY') AS last_day,
                           slots, visits_per_day, holidays::text AS holidays, targets, remedy_days, pins::text AS pins, revision
                    FROM danvan.inspection_plans WHERE id = $1 AND status = 'submitted' FOR UPDATE
                    """,
                    args.planID
                ).first else { return }
                var delegations: [InspectionPlan.Delegation] = []
                for row in try connection.query(
                    """
                    SELECT d.id, d.name, d.leader, d.leader_position, array_agg(m.name ORDER BY m.name) AS members
                    FROM danvan.delegations AS d JOIN danvan.delegation_members AS m ON m.delegation_id = d.id
                    WHERE d.plan_id = $1 GROUP BY d.id ORDER BY d.id
                    """,
                    args.planID
                ) {
                    delegations.append(InspectionPlan.Delegation(
                        id: try row.decode("id"), name: try row.decode("name"), leader: try row.decode("leader"),
                        leaderPosition: try row.decode("leader_position"), members: try row.decode("members")
                    ))
                }
                var inspection = InspectionPlan(
                    issuingUnit: try plan.decode("issuing_unit_id"), delegations: delegations, targets: try plan.decode("targets"),
                    firstDay: try CivilDate(parsing: try plan.decode("first_day")), lastDay: try CivilDate(parsing: try plan.decode("last_day")),
                    slots: try plan.decode("slots", as: [String].self).compactMap(InspectionPlan.Slot.init(name:)),
                    visitsPerDelegationPerDay: Int(try plan.decode("visits_per_day", as: Int32.self)),
                    holidays: try Self.holidays(try plan.decode("holidays"))
                )
                inspection.pins = try JSONDecoder().decode([InspectionPlan.Pin].self, from: Data(try plan.decode("pins", as: String.self).utf8))
                let revision = Int(try plan.decode("revision", as: Int32.self))
                let visits: [InspectionVisit]
                do {
                    visits = try InspectionScheduler.schedule(inspection)
                } catch {
                    try connection.query(
                        "UPDATE danvan.inspection_plans SET status = 'rejected', rejection = $2 WHERE id = $1", args.planID, String(describing: error)
                    )
                    context.logger.notice("inspection plan rejected", metadata: ["plan_id": "\(args.planID)", "reason": "\(error)"])
                    return
                }
                let title: String = try plan.decode("title")
                let remedyDays = Int(try plan.decode("remedy_days", as: Int32.self))
                let names = Dictionary(uniqueKeysWithValues: delegations.map { ($0.id, ($0.name, $0.leader, $0.leaderPosition)) })
                for visit in visits {
                    try connection.query(
                        """
                        INSERT INTO danvan.inspection_visits (plan_id, delegation_id, unit_id, visit_on, slot)
                        VALUES ($1, $2, $3, $4::date, $5)
                        """,
                        args.planID, visit.delegation, visit.target, visit.date.iso, visit.slot.name
                    )
                    let (delegation, leader, position) = names[visit.delegation] ?? ("", "", "")
                    try Notifications.post(
                        to: visit.target, kind: "inspection.scheduled", title: "\(revision == 0 ? "Lịch kiểm tra" : "Điều chỉnh lịch kiểm tra"): \(title)",
                        body: VisitNotice(
                            slot: visit.slot.vietnamese, day: visit.date, delegation: delegation, leader: leader, position: position,
                            planTitle: title, remedyDays: remedyDays
                        ).text,
                        deadline: nil, key: revision == 0 ? "visit:\(args.planID):\(visit.target)" : "visit:\(args.planID):\(visit.target):\(revision)",
                        on: connection
                    )
                }
                try connection.query("UPDATE danvan.inspection_plans SET status = 'scheduled', scheduled_at = now() WHERE id = $1", args.planID)
            }
            return .completed
        }

        static func holidays(_ json: String) throws -> [InspectionPlan.Holiday] {
            let entries = try JSONDecoder().decode([[String: String]].self, from: Data(json.utf8))
            return try entries.map { entry in
                func day(_ key: String) throws -> CivilDate {
                    let parts = (entry[key] ?? "").split(separator: "-").compactMap { Int($0) }
                    guard parts.count == 3 else { throw CivilDateError(text: entry[key] ?? "") }
                    return try CivilDate(year: parts[0], month: parts[1], day: parts[2])
                }
                return InspectionPlan.Holiday(name: entry["name"] ?? "", first: try day("first"), last: try day("last"))
            }
        }
    }
}
