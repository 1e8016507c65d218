import DanVan
import HTTPTypes
import PostgresClient

/// `/v1/campaigns` and `/v1/models`: register, list, read, move along the lifecycle,
/// within the token's subtree.
extension APIHandlers {
    func listCampaigns(_ input: Operations.ListCampaigns.Input) async throws -> Operations.ListCampaigns.Output {
        let principal = try Principal.require(.readCampaigns)
        let campaigns = try await database.run { pool in
            // An operator sees every campaign; a unit, those it takes part in or runs.
            try principal.unitID.map { try ModelRegistry().campaigns(for: $0, on: pool) } ?? ModelRegistry().allCampaigns(on: pool)
        }
        return .ok(.init(body: .json(.init(campaigns: campaigns.map(Components.Schemas.Campaign.init)))))
    }

    func listModels(_ input: Operations.ListModels.Input) async throws -> Operations.ListModels.Output {
        let principal = try Principal.require(.readModels)
        let query = input.query
        let limit = try APIInput.limit(query.limit, cursor: query.cursor)
        try APIInput.id(query.unit, "unit")
        try APIInput.id(query.campaign, "campaign")
        let unit = try principal.defaultUnit(query.unit)
        let state = query.state.flatMap { Model.State(rawValue: $0.rawValue) }
        let field = query.field.flatMap { Model.Field(rawValue: $0.rawValue) }
        let found = try await database.run { pool in
            try APIInput.requireScope(.readModels, unit: unit, principal, on: pool)
            return try ModelRegistry().list(
                under: unit, campaign: query.campaign, state: state, field: field, before: query.cursor, limit: limit + 1, on: pool
            )
        }
        let page = APIInput.page(found, limit: limit, id: \.id)
        return .ok(.init(body: .json(.init(models: page.rows.map(Components.Schemas.Model.init), nextCursor: page.next))))
    }

    func registerModel(_ input: Operations.RegisterModel.Input) async throws -> Operations.RegisterModel.Output {
        let principal = try Principal.require(.registerModel)
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        guard let field = Model.Field(rawValue: request.field.rawValue), let holder = Model.Holder(rawValue: request.holder.rawValue) else {
            throw Problem(.badRequest, "field or holder")
        }
        let registration = ModelRegistration(
            campaignID: request.campaignId, unitID: request.unitId, field: field, holder: holder, holderName: request.holderName,
            title: request.title, day: try APIInput.day(request.day, "day"), campaignField: request.campaignField
        )
        let id = try await transaction(key: input.headers.idempotencyKey, principal: principal, operation: "registerModel", request: request) { connection in
            try ModelRegistry().register(registration, by: principal, in: connection).id
        }
        return .created(.init(body: .json(.init(try await model(id)))))
    }

    func getModel(_ input: Operations.GetModel.Input) async throws -> Operations.GetModel.Output {
        let principal = try Principal.require(.readModels)
        let id = input.path.id
        let model = try await database.run { pool in
            try APIInput.scoped(ModelRegistry().find(id, on: pool), .readModels, unit: \.unitID, principal, on: pool, what: "model", id: id)
        }
        return .ok(.init(body: .json(.init(model))))
    }

    func transitionModel(_ input: Operations.TransitionModel.Input) async throws -> Operations.TransitionModel.Output {
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        guard let state = Model.State(rawValue: request.to.rawValue) else { throw Problem(.badRequest, "to") }
        let principal = try Principal.require(Action.modelTransition(to: state))
        let day = try APIInput.day(request.day, "day")
        let id = input.path.id
        let moved = try await transaction(
            key: input.headers.idempotencyKey, principal: principal, operation: "transitionModel:\(id)", request: request
        ) { connection in
            try ModelRegistry().transition(id, to: state, on: day, note: request.note ?? "", by: principal, in: connection).id
        }
        return .ok(.init(body: .json(.init(try await model(moved)))))
    }

    private func model(_ id: Int64) async throws -> Model {
        guard let model = try await database.run({ pool in try ModelRegistry().find(id, on: pool) }) else {
            throw Problem(.internalServerError, "model \(id) vanished after it was written")
        }
        return model
    }
}

extension Components.Schemas.Campaign {
    init(_ campaign: Campaign) {
        self.init(id: campaign.id, unitId: campaign.unitID, name: campaign.name, startsOn: campaign.startsOn.description, endsOn: campaign.endsOn.description)
    }
}

extension Components.Schemas.Model {
    init(_ model: Model) {
        self.init(
            id: model.id, campaignId: model.campaignID, unitId: model.unitID, field: .init(rawValue: model.field.rawValue) ?? .economy,
            holder: .init(rawValue: model.holder.rawValue) ?? .collective, holderName: model.holderName, title: model.title,
            state: .init(rawValue: model.state.rawValue) ?? .registered, registeredOn: model.registeredOn.description
        )
    }
}
