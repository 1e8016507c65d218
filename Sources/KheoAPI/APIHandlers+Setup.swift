import DanVan
import Foundation
import HTTPTypes
import OpenAPIRuntime
import PostgresClient

/// Setting a province up over HTTP, as `kheo setup` does on the command line: unit
/// lists imported, campaigns opened with windows and targets, periods defined, and
/// the campaign's targets read back. The rules are the domain's (`Authority`).
extension APIHandlers {
    func importUnits(_ input: Operations.ImportUnits.Input) async throws -> Operations.ImportUnits.Output {
        let principal = try Principal.require(.setUpUnits)
        let from = try input.query.from.map { try APIInput.day($0, "from") }
        let (body, format): (HTTPBody, UnitSheet.Format) = switch input.body {
        case .csv(let body): (body, .csv)
        case .applicationVnd_openxmlformatsOfficedocument_spreadsheetml_sheet(let body): (body, .xlsx)
        }
        // The body middleware has already held it to the server's limit.
        let data = try await Data(collecting: body, upTo: 16 << 20)
        let sheet: UnitSheet
        do {
            sheet = try UnitSheet.read(data, format: format)
        } catch {
            throw DomainProblem.from(error) ?? error
        }
        let outcome = try await transaction(key: nil, principal: principal, operation: "importUnits", request: "") { connection in
            let done = try UnitImport().run(sheet, from: from, by: principal, in: connection)
            return Components.Schemas.UnitImportOutcome(
                rows: sheet.rows.count, created: done.created, unchanged: done.unchanged, codesAdded: done.codesAdded
            )
        }
        return .ok(.init(body: .json(outcome)))
    }

    func openCampaign(_ input: Operations.OpenCampaign.Input) async throws -> Operations.OpenCampaign.Output {
        let principal = try Principal.require(.openCampaign)
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        try APIInput.id(request.unitId, "unitId")
        try APIInput.id(request.stageId, "stageId")
        try APIInput.count(request.windows?.count, "windows", atMost: 20)
        try APIInput.count(request.fields?.count, "fields", atMost: 30)
        for (index, window) in (request.windows ?? []).enumerated() {
            try APIInput.range(window.collectiveTarget, "windows[\(index)].collectiveTarget", 0...100_000)
            try APIInput.range(window.individualTarget, "windows[\(index)].individualTarget", 0...100_000)
        }
        let windows = try (request.windows ?? []).map { window in
            guard let kind = OrgUnit.Kind(rawValue: window.unitKind.rawValue) else { throw Problem(.badRequest, "unitKind") }
            return CampaignSetup.Window(
                unitKind: kind, opens: try APIInput.day(window.opensOn, "opensOn"), closes: try APIInput.day(window.closesOn, "closesOn"),
                collectiveTarget: window.collectiveTarget, individualTarget: window.individualTarget
            )
        }
        let fields = try (request.fields ?? []).map { entry in
            guard let group = Model.Field(rawValue: entry.group.rawValue) else { throw Problem(.badRequest, "fields: group") }
            return CampaignSetup.Field(code: entry.code, name: entry.name, group: group)
        }
        let plan = CampaignSetup.Plan(
            unitID: request.unitId, name: request.name, first: try APIInput.day(request.startsOn, "startsOn"),
            last: try APIInput.day(request.endsOn, "endsOn"), stageID: request.stageId, windows: windows,
            definePeriods: request.definePeriods ?? true, fields: fields
        )
        let opened = try await transaction(key: input.headers.idempotencyKey, principal: principal, operation: "openCampaign", request: request) { connection in
            let opened = try CampaignSetup().open(plan, by: principal, in: connection)
            guard let campaign = try ModelRegistry().campaign(opened.campaignID, on: connection) else {
                throw Problem(.internalServerError, "campaign \(opened.campaignID) vanished after it was opened")
            }
            return Components.Schemas.OpenedCampaign(campaign: .init(campaign), periods: opened.periods.map(Components.Schemas.Period.init))
        }
        return .created(.init(body: .json(opened)))
    }

    func definePeriod(_ input: Operations.DefinePeriod.Input) async throws -> Operations.DefinePeriod.Output {
        let principal = try Principal.require(.definePeriod)
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        guard let kind = Period.Kind(rawValue: request.kind.rawValue) else { throw Problem(.badRequest, "kind") }
        try APIInput.id(request.campaignId, "campaignId")
        let first = try APIInput.day(request.startsOn, "startsOn"), last = try APIInput.day(request.endsOn, "endsOn")
        let period = try await transaction(key: input.headers.idempotencyKey, principal: principal, operation: "definePeriod", request: request) { connection in
            Components.Schemas.Period(
                try CampaignSetup().definePeriod(kind, named: request.name, from: first, to: last, campaign: request.campaignId, by: principal, in: connection)
            )
        }
        return .created(.init(body: .json(period)))
    }

    func getTargetProgress(_ input: Operations.GetTargetProgress.Input) async throws -> Operations.GetTargetProgress.Output {
        let principal = try Principal.require(.readCampaigns)
        try APIInput.id(input.query.unit, "unit")
        let unit = try principal.defaultUnit(input.query.unit)
        let campaignID = input.path.id
        let targets = try await database.run { pool -> [RegistrationProgress] in
            try APIInput.requireScope(.readCampaigns, unit: unit, principal, on: pool)
            guard try ModelRegistry().campaign(campaignID, on: pool) != nil else {
                throw Problem(.notFound, AuthorityError.notFound(what: "campaign", id: campaignID).description)
            }
            return try RegistrationTargets.progress(campaign: campaignID, within: unit, on: pool)
        }
        return .ok(.init(body: .json(.init(targets: targets.map { progress in
            Components.Schemas.TargetProgress(
                unitId: progress.unitID, unitName: progress.unitName, unitKind: .init(rawValue: progress.unitKind.rawValue) ?? .commune,
                holder: progress.holder == .collective ? .collective : .individual, target: progress.target, registered: progress.registered,
                difference: progress.difference, shortfall: progress.shortfall
            )
        }))))
    }
}
