import DanVan
import HTTPTypes
import PostgresClient

/// `/v1/periods` and `/v1/statistics`: the published figures, from the snapshot the
/// nightly `statistics.regenerate` switched to last.
extension APIHandlers {
    func listPeriods(_ input: Operations.ListPeriods.Input) async throws -> Operations.ListPeriods.Output {
        _ = try Principal.require(.readPeriods)
        let periods = try await database.run { pool in try Periods().list(on: pool) }
        return .ok(.init(body: .json(.init(periods: periods.map(Components.Schemas.Period.init)))))
    }

    func getStatistics(_ input: Operations.GetStatistics.Input) async throws -> Operations.GetStatistics.Output {
        let principal = try Principal.require(.readStatistics)
        let query = input.query
        try APIInput.id(query.unit, "unit")
        try APIInput.id(query.period, "period")
        let unit = try principal.defaultUnit(query.unit)
        let period = query.period
        let field = query.field?.rawValue
        let figures = try await database.run { pool -> [StatisticsFigures] in
            try APIInput.requireScope(.readStatistics, unit: unit, principal, on: pool)
            guard period >= 1, try Periods().find(period, on: pool) != nil else { throw Problem(.notFound, "no period \(period): see /v1/periods") }
            return try StatisticsFigures.read(unit: unit, period: period, on: pool)
        }
        let chosen = figures.filter { field == nil || ($0.field?.rawValue ?? "all") == field }
        return .ok(.init(body: .json(.init(
            unitId: unit, periodId: period, snapshotId: figures.first?.snapshotID, figures: chosen.map(Components.Schemas.Figures.init)
        ))))
    }
}

extension Components.Schemas.Period {
    init(_ period: Period) {
        self.init(
            id: period.id, kind: .init(rawValue: period.kind.rawValue) ?? .stage, name: period.name,
            startsOn: period.startsOn.description, endsOn: period.endsOn.description, campaignId: period.campaignID
        )
    }
}

extension Components.Schemas.Figures {
    init(_ figures: StatisticsFigures) {
        self.init(
            field: .init(rawValue: figures.field?.rawValue ?? "all") ?? .all, modelsRegistered: figures.modelsRegistered,
            modelsRecognised: figures.modelsRecognised, modelsCommended: figures.modelsCommended, collective: figures.collective,
            individual: figures.individual, recognitionRate: figures.recognitionRate, deadlinesMet: figures.deadlinesMet,
            deadlinesMetLate: figures.deadlinesMetLate,
            deadlinesOverdue: figures.deadlinesOverdue, conferences: figures.conferences, conferenceAttendees: figures.conferenceAttendees,
            trainings: figures.trainings, trainingParticipants: figures.trainingParticipants, documentsIssued: figures.documentsIssued,
            inspectionsPlanned: figures.inspectionsPlanned, inspectionsDone: figures.inspectionsDone, oversights: figures.oversights,
            organisationsOverseen: figures.organisationsOverseen, partyMembersOverseen: figures.partyMembersOverseen
        )
    }
}
