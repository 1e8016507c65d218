import DanVan
import HTTPTypes
import PostgresClient

/// The people who run the movement (members of bodies and who follows which model) and
/// the inspections and supervisions of party organisations and members.
extension APIHandlers {
    func listMembers(_ input: Operations.ListMembers.Input) async throws -> Operations.ListMembers.Output {
        let principal = try Principal.require(.readUnits)
        let unit = input.path.unitId
        let members = try await database.run { pool in
            try APIInput.requireScope(.readUnits, unit: unit, principal, on: pool)
            return try Members().list(of: unit, on: pool)
        }
        return .ok(.init(body: .json(.init(members: members.map(Components.Schemas.Member.init)))))
    }

    func addMember(_ input: Operations.AddMember.Input) async throws -> Operations.AddMember.Output {
        let principal = try Principal.require(.manageMembers)
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        let unit = input.path.unitId
        let from = try APIInput.day(request.from, "from")
        let member = try await transaction(key: input.headers.idempotencyKey, principal: principal, operation: "addMember", request: request) { connection in
            Components.Schemas.Member(
                try Members().add(to: unit, fullName: request.fullName, position: request.position ?? "", from: from, by: principal, in: connection)
            )
        }
        return .created(.init(body: .json(member)))
    }

    func assignFollower(_ input: Operations.AssignFollower.Input) async throws -> Operations.AssignFollower.Output {
        let principal = try Principal.require(.assignFollower)
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        let model = input.path.id
        try APIInput.id(request.memberId, "memberId")
        let day = try APIInput.day(request.day, "day")
        let member = try await transaction(key: input.headers.idempotencyKey, principal: principal, operation: "assignFollower", request: request) { connection in
            try Members().assign(request.memberId, toFollow: model, on: day, by: principal, in: connection)
            guard let member = try Members().follower(of: model, on: connection) else {
                throw Problem(.internalServerError, "model \(model) has no follower after the assignment")
            }
            return Components.Schemas.Member(member)
        }
        return .ok(.init(body: .json(member)))
    }

    func listOversights(_ input: Operations.ListOversights.Input) async throws -> Operations.ListOversights.Output {
        let principal = try Principal.require(.readInspections)
        try APIInput.id(input.query.unit, "unit")
        let unit = try principal.defaultUnit(input.query.unit)
        let found = try await database.run { pool in
            try APIInput.requireScope(.readInspections, unit: unit, principal, on: pool)
            return try Oversights().list(under: unit, on: pool)
        }
        return .ok(.init(body: .json(.init(oversights: found.map(Components.Schemas.Oversight.init)))))
    }

    func recordOversight(_ input: Operations.RecordOversight.Input) async throws -> Operations.RecordOversight.Output {
        let principal = try Principal.require(.recordOversight)
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        let day = try APIInput.day(request.day, "day")
        try APIInput.id(request.unitId, "unitId")
        try APIInput.count(request.organisations?.count, "organisations", atMost: 500)
        try APIInput.count(request.partyMembers?.count, "partyMembers", atMost: 500)
        for (index, unit) in (request.organisations ?? []).enumerated() { try APIInput.id(unit, "organisations[\(index)]") }
        let kind: Oversight.Kind = request.kind == .inspection ? .inspection : .supervision
        let oversight = try await transaction(key: input.headers.idempotencyKey, principal: principal, operation: "recordOversight", request: request) { connection in
            Components.Schemas.Oversight(try Oversights().record(
                kind, by: request.unitId, on: day, title: request.title, organisations: request.organisations ?? [],
                partyMembers: request.partyMembers ?? [], principal: principal, in: connection
            ))
        }
        return .created(.init(body: .json(oversight)))
    }
}

extension Components.Schemas.Member {
    init(_ member: DanVan.Member) {
        self.init(
            id: member.id, unitId: member.unitID, fullName: member.fullName, position: member.position, validFrom: member.validFrom.description,
            validUntil: member.validUntil?.description
        )
    }
}

extension Components.Schemas.Oversight {
    init(_ oversight: DanVan.Oversight) {
        self.init(
            id: oversight.id, unitId: oversight.unitID, kind: oversight.kind == .inspection ? .inspection : .supervision,
            day: oversight.heldOn.description, title: oversight.title, organisations: oversight.organisations, partyMembers: oversight.partyMembers
        )
    }
}
