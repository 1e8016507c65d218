import DanVan
import HTTPTypes
import PostgresClient

/// `/v1/activities`: conferences, trainings and documents units report.
extension APIHandlers {
    func listActivities(_ input: Operations.ListActivities.Input) async throws -> Operations.ListActivities.Output {
        let principal = try Principal.require(.readActivities)
        let query = input.query
        let limit = try APIInput.limit(query.limit, cursor: query.cursor)
        try APIInput.id(query.unit, "unit")
        let unit = try principal.defaultUnit(query.unit)
        let kind = query.kind.flatMap { ActivityLog.Kind(rawValue: $0.rawValue) }
        let from = try query.from.map { try APIInput.day($0, "from") }
        let to = try query.to.map { try APIInput.day($0, "to") }
        let found = try await database.run { pool in
            try APIInput.requireScope(.readActivities, unit: unit, principal, on: pool)
            return try ActivityLog().list(under: unit, kind: kind, from: from, to: to, before: query.cursor, limit: limit + 1, on: pool)
        }
        let page = APIInput.page(found, limit: limit, id: \.id)
        return .ok(.init(body: .json(.init(activities: page.rows.map(Components.Schemas.Activity.init), nextCursor: page.next))))
    }

    func recordActivity(_ input: Operations.RecordActivity.Input) async throws -> Operations.RecordActivity.Output {
        let principal = try Principal.require(.recordActivity)
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        guard let kind = ActivityLog.Kind(rawValue: request.kind.rawValue) else { throw Problem(.badRequest, "kind") }
        let day = try APIInput.day(request.day, "day")
        try APIInput.range(request.sessions, "sessions", 1...10_000)
        try APIInput.range(request.attendees, "attendees", 0...10_000_000)
        let id = try await transaction(key: input.headers.idempotencyKey, principal: principal, operation: "recordActivity", request: request) { connection in
            try APIInput.requireScope(.recordActivity, unit: request.unitId, principal, on: connection)
            return try ActivityLog().record(
                kind, by: request.unitId, title: request.title, on: day, sessions: request.sessions ?? 1, attendees: request.attendees ?? 0,
                campaign: request.campaignId, on: connection
            )
        }
        guard let activity = try await database.run({ pool in try ActivityLog().find(id, on: pool) }) else {
            throw Problem(.internalServerError, "activity \(id) vanished after it was recorded")
        }
        return .created(.init(body: .json(.init(activity))))
    }
}

extension Components.Schemas.Activity {
    init(_ activity: Activity) {
        self.init(
            id: activity.id, unitId: activity.unitID, kind: .init(rawValue: activity.kind.rawValue) ?? .document, title: activity.title,
            day: activity.heldOn.description, sessions: activity.sessions, attendees: activity.attendees
        )
    }
}
