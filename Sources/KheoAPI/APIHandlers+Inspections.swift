import DanVan
import HTTPTypes
import PostgresClient

/// `/v1/inspection-plans` and visits' findings. A plan is issued by a unit within the
/// token's subtree; its scheduling job is tagged with the token's unit, so the caller
/// can follow it at `/v1/jobs/{id}`.
extension APIHandlers {
    func submitInspectionPlan(_ input: Operations.SubmitInspectionPlan.Input) async throws -> Operations.SubmitInspectionPlan.Output {
        let principal = try Principal.require(.submitInspectionPlan)
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        let plan = try Self.plan(request)
        try APIInput.range(request.remedyDays, "remedyDays", 1...365)
        let tags = [JobScope.unitTag(request.issuingUnitId)]
        let ids = try await transaction(
            key: input.headers.idempotencyKey, principal: principal, operation: "submitInspectionPlan", request: request
        ) { connection in
            try APIInput.requireScope(.submitInspectionPlan, unit: request.issuingUnitId, principal, on: connection)
            let submitted = try InspectionPlans().submit(plan, title: request.title, remedyDays: request.remedyDays ?? 30, tags: tags, in: connection)
            return [submitted.planID, submitted.jobID]
        }
        return .accepted(.init(headers: .init(location: "/v1/inspection-plans/\(ids[0])"), body: .json(.init(planId: ids[0], jobId: ids[1]))))
    }

    func getInspectionPlan(_ input: Operations.GetInspectionPlan.Input) async throws -> Operations.GetInspectionPlan.Output {
        let principal = try Principal.require(.readInspections)
        let id = input.path.id
        let plan = try await database.run { pool in
            try APIInput.scoped(InspectionPlans().find(id, on: pool), .readInspections, unit: \.issuingUnitID, principal, on: pool, what: "inspection plan", id: id)
        }
        return .ok(.init(body: .json(.init(plan))))
    }

    func recordFindings(_ input: Operations.RecordFindings.Input) async throws -> Operations.RecordFindings.Output {
        let principal = try Principal.require(.recordFindings)
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        let day = try APIInput.day(request.day, "day")
        let id = input.path.id
        let planID = try await transaction(
            key: input.headers.idempotencyKey, principal: principal, operation: "recordFindings:\(id)", request: request
        ) { connection in
            try InspectionVisits().record(
                visit: id, findings: request.findings, recommendations: request.recommendations ?? "", on: day, by: principal, in: connection
            )
            guard let plan = try InspectionPlans().planOf(visit: id, on: connection) else {
                throw Problem(.internalServerError, "visit \(id) lost its plan while it was recorded")
            }
            return plan.planID
        }
        let plan = try await database.run { pool in try InspectionPlans().find(planID, on: pool) }
        guard let visit = plan?.visits.first(where: { $0.id == id }) else { throw Problem(.internalServerError, "visit \(id) vanished after it was recorded") }
        return .ok(.init(body: .json(.init(visit, plan: planID))))
    }

    /// The plan a request describes, with the limits the generated code leaves to us.
    static func plan(_ request: Components.Schemas.InspectionPlanRequest) throws -> InspectionPlan {
        let first = try APIInput.day(request.firstDay, "firstDay")
        let last = try APIInput.day(request.lastDay, "lastDay")
        guard last <= first.adding(days: 366) else { throw Problem(.badRequest, "lastDay: a plan spans at most 366 days, \(first) to \(first.adding(days: 366))") }
        guard (1...500).contains(request.targets.count) else { throw Problem(.badRequest, "targets: 1 to 500 units, not \(request.targets.count)") }
        guard (1...50).contains(request.delegations.count) else { throw Problem(.badRequest, "delegations: 1 to 50, not \(request.delegations.count)") }
        if let bad = request.targets.first(where: { $0 < 1 }) { throw Problem(.badRequest, "targets: \(bad) is not a unit id") }
        let slots = request.slots ?? [.morning, .afternoon]
        guard (1...2).contains(slots.count) else { throw Problem(.badRequest, "slots: morning, afternoon or both") }
        try APIInput.range(request.visitsPerDelegationPerDay, "visitsPerDelegationPerDay", 1...2)
        var delegations: [InspectionPlan.Delegation] = []
        for (index, delegation) in request.delegations.enumerated() {
            guard (1...50).contains(delegation.members.count) else {
                throw Problem(.badRequest, "delegations[\(index)].members: 1 to 50 people, not \(delegation.members.count)")
            }
            delegations.append(.init(
                id: Int64(index + 1), name: delegation.name, leader: delegation.leader, leaderPosition: delegation.leaderPosition ?? "",
                members: delegation.members
            ))
        }
        let holidays = request.holidays ?? []
        guard holidays.count <= 50 else { throw Problem(.badRequest, "holidays: at most 50, not \(holidays.count)") }
        var plan = InspectionPlan(
            issuingUnit: request.issuingUnitId, delegations: delegations, targets: request.targets, firstDay: first, lastDay: last,
            slots: slots.compactMap { InspectionPlan.Slot(name: $0.rawValue) }, visitsPerDelegationPerDay: request.visitsPerDelegationPerDay ?? 1,
            holidays: try Self.holidays(holidays),
            campaignID: request.campaignId
        )
        plan.pins = try Self.pins(request.pins)
        return plan
    }

    /// Days off as a request gives them, each named problem naming its place.
    static func holidays(_ given: [Components.Schemas.HolidayRequest]) throws -> [InspectionPlan.Holiday] {
        try given.enumerated().map { index, holiday in
            let name: String
            do {
                name = try DomainText.clean(holiday.name, field: "holiday name", maxLength: 200)
            } catch {
                throw Problem(.badRequest, "holidays[\(index)].name: \(error)")
            }
            let first = try APIInput.day(holiday.first, "holidays[\(index)].first")
            return InspectionPlan.Holiday(name: name, first: first, last: try holiday.last.map { try APIInput.day($0, "holidays[\(index)].last") })
        }
    }

    static func pins(_ given: [Components.Schemas.PlanPin]?) throws -> [InspectionPlan.Pin] {
        try APIInput.count(given?.count, "pins", atMost: 500)
        return try (given ?? []).enumerated().map { index, pin in
            try APIInput.id(pin.target, "pins[\(index)].target")
            var slot: InspectionPlan.Slot?
            switch pin.slot {
            case .morning: slot = .morning
            case .afternoon: slot = .afternoon
            case ._empty_: throw Problem(.badRequest, "pins[\(index)].slot: morning, afternoon or null")
            case nil: slot = nil
            }
            return InspectionPlan.Pin(target: pin.target, date: try APIInput.day(pin.date, "pins[\(index)].date"), slot: slot)
        }
    }

    func rescheduleInspectionPlan(_ input: Operations.RescheduleInspectionPlan.Input) async throws -> Operations.RescheduleInspectionPlan.Output {
        let principal = try Principal.require(.submitInspectionPlan)
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        let id = input.path.id
        try APIInput.count(request.holidays?.count, "holidays", atMost: 50)
        var changes = InspectionPlans.Changes(
            firstDay: try request.firstDay.map { try APIInput.day($0, "firstDay") }, lastDay: try request.lastDay.map { try APIInput.day($0, "lastDay") },
            pins: try request.pins.map { try Self.pins($0) }
        )
        if let holidays = request.holidays { changes.holidays = try Self.holidays(holidays) }
        let finalChanges = changes
        let submitted = try await transaction(key: input.headers.idempotencyKey, principal: principal, operation: "rescheduleInspectionPlan", request: request) {
            connection in
            let done = try InspectionPlans().reschedule(id, finalChanges, by: principal, in: connection)
            return [done.planID, done.jobID]
        }
        return .accepted(.init(body: .json(.init(planId: submitted[0], jobId: submitted[1]))))
    }
}

extension Components.Schemas.InspectionPlan {
    init(_ plan: StoredPlan) {
        self.init(
            id: plan.id, issuingUnitId: plan.issuingUnitID, title: plan.title, firstDay: plan.firstDay.description, lastDay: plan.lastDay.description,
            slots: plan.slots.compactMap { .init(rawValue: $0.name) }, visitsPerDelegationPerDay: plan.visitsPerDelegationPerDay,
            remedyDays: plan.remedyDays, targets: plan.targets, status: .init(rawValue: plan.status.rawValue) ?? .submitted,
            rejection: plan.rejection,
            delegations: plan.delegations.map { .init(id: $0.id, name: $0.name, leader: $0.leader, leaderPosition: $0.leaderPosition, members: $0.members) },
            visits: plan.visits.map { .init($0, plan: plan.id) }
        )
    }
}

extension Components.Schemas.InspectionVisit {
    init(_ visit: StoredPlan.Visit, plan: Int64) {
        self.init(
            id: visit.id, planId: plan, unitId: visit.unitID, delegationId: visit.delegationID, day: visit.day.description,
            slot: .init(rawValue: visit.slot.name) ?? .afternoon, done: visit.doneAt != nil, findings: visit.findings,
            recommendations: visit.recommendations, remedyDeadlineId: visit.remedyDeadlineID
        )
    }
}
