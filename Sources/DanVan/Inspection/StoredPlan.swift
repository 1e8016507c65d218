public import Foundation
public import PostgresClient

/// An inspection plan as stored: what was asked, where scheduling got to, and the
/// visits it produced with what each found.
public struct StoredPlan: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        case submitted, scheduled, rejected
    }

    public struct Delegation: Sendable, Equatable {
        public let id: Int64
        public let name: String
        public let leader: String
        public let leaderPosition: String
        public let members: [String]
    }

    public struct Visit: Sendable, Equatable {
        public let id: Int64
        public let unitID: Int64
        public let delegationID: Int64
        public let day: CivilDate
        public let slot: InspectionPlan.Slot
        public let findings: String?
        public let recommendations: String?
        public let doneAt: Date?
        public let remedyDeadlineID: Int64?
    }

    public let id: Int64
    public let issuingUnitID: Int64
    public let title: String
    public let firstDay: CivilDate
    public let lastDay: CivilDate
    public let slots: [InspectionPlan.Slot]
    public let visitsPerDelegationPerDay: Int
    public let remedyDays: Int
    public let targets: [Int64]
    public let status: Status
    /// Why the scheduler could not fit the plan, when it is rejected.
    public let rejection: String?
    public let delegations: [Delegation]
    public let visits: [Visit]
}

extension InspectionPlans {
    /// A plan with its delegations and visits (in the order they take place), or nil.
    public func find(_ id: Int64, on executor: some PostgresExecutor) throws -> StoredPlan? {
        guard let plan = try executor.query(
            """
            SELECT id, issuing_unit_id, title, to_char(first_day, 'DD/MM/YYYY') AS first_day, to_char(last_day, 'DD/MM/YYYY') AS last_day,
                   slots, visits_per_day, remedy_days, targets, status::text AS status, rejection
            FROM danvan.inspection_plans WHERE id = $1
            """,
            id
        ).first else { return nil }
        let delegations = try executor.query(
            """
            SELECT d.id, d.name, d.leader, d.leader_position, coalesce(array_agg(m.name ORDER BY m.name) FILTER (WHERE m.name IS NOT NULL), '{}') AS members
            FROM danvan.delegations AS d LEFT JOIN danvan.delegation_members AS m ON m.delegation_id = d.id
            WHERE d.plan_id = $1 GROUP BY d.id ORDER BY d.id
            """,
            id
        ).map { row in
            StoredPlan.Delegation(
                id: try row.decode("id"), name: try row.decode("name"), leader: try row.decode("leader"),
                leaderPosition: try row.decode("leader_position"), members: try row.decode("members")
            )
        }
        let visits = try executor.query(
            """
            SELECT id, unit_id, delegation_id, to_char(visit_on, 'DD/MM/YYYY') AS visit_on, slot, findings, recommendations, done_at,
                   remedy_deadline_id
            FROM danvan.inspection_visits AS v WHERE plan_id = $1
            -- By the date column, not the dd/mm/yyyy text of the same name: 01/09 comes
            -- after 29/08.
            ORDER BY v.visit_on, v.slot = 'afternoon', v.delegation_id, v.id
            """,
            id
        ).map { row in
            StoredPlan.Visit(
                id: try row.decode("id"), unitID: try row.decode("unit_id"), delegationID: try row.decode("delegation_id"),
                day: try CivilDate(parsing: try row.decode("visit_on")), slot: InspectionPlan.Slot(name: try row.decode("slot")) ?? .afternoon,
                findings: try row.decode("findings"), recommendations: try row.decode("recommendations"), doneAt: try row.decode("done_at"),
                remedyDeadlineID: try row.decode("remedy_deadline_id")
            )
        }
        return StoredPlan(
            id: try plan.decode("id"), issuingUnitID: try plan.decode("issuing_unit_id"), title: try plan.decode("title"),
            firstDay: try CivilDate(parsing: try plan.decode("first_day")), lastDay: try CivilDate(parsing: try plan.decode("last_day")),
            slots: try plan.decode("slots", as: [String].self).compactMap(InspectionPlan.Slot.init(name:)),
            visitsPerDelegationPerDay: Int(try plan.decode("visits_per_day", as: Int32.self)),
            remedyDays: Int(try plan.decode("remedy_days", as: Int32.self)), targets: try plan.decode("targets"),
            status: StoredPlan.Status(rawValue: try plan.decode("status")) ?? .submitted, rejection: try plan.decode("rejection"),
            delegations: delegations, visits: visits
        )
    }

    /// The plan a visit belongs to, with the unit that issued it.
    public func planOf(visit id: Int64, on executor: some PostgresExecutor) throws -> (planID: Int64, issuingUnitID: Int64)? {
        guard let row = try executor.query(
            """
            SELECT p.id, p.issuing_unit_id FROM danvan.inspection_visits AS v JOIN danvan.inspection_plans AS p ON p.id = v.plan_id
            WHERE v.id = $1
            """,
            id
        ).first else { return nil }
        return (try row.decode("id"), try row.decode("issuing_unit_id"))
    }
}
