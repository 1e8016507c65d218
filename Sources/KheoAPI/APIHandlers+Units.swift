import DanVan
import HTTPTypes
import PostgresClient

/// `/v1/units`, their inboxes, and notifications: within the token's subtree.
extension APIHandlers {
    func getUnit(_ input: Operations.GetUnit.Input) async throws -> Operations.GetUnit.Output {
        let principal = try Principal.require(.viewer)
        let id = input.path.unitId
        guard let unit = try await database.run({ pool in try UnitScope.find(id, for: principal, on: pool) }) else {
            return .notFound(.init(body: .applicationProblemJson(UnitScope.notFound("unit", id))))
        }
        return .ok(.init(body: .json(.init(unit))))
    }

    func listSubtree(_ input: Operations.ListSubtree.Input) async throws -> Operations.ListSubtree.Output {
        let principal = try Principal.require(.viewer)
        let id = input.path.unitId
        let units = try await database.run { pool -> [OrgUnit]? in
            guard try UnitScope.find(id, for: principal, on: pool) != nil else { return nil }
            return try UnitDirectory().subtree(of: id, on: pool)
        }
        guard let units else { return .notFound(.init(body: .applicationProblemJson(UnitScope.notFound("unit", id)))) }
        return .ok(.init(body: .json(.init(units: units.map(Components.Schemas.Unit.init)))))
    }

    func listInbox(_ input: Operations.ListInbox.Input) async throws -> Operations.ListInbox.Output {
        let principal = try Principal.require(.viewer)
        let id = input.path.unitId
        let query = input.query
        if let problem = Self.pageProblem(limit: query.limit, cursor: query.cursor) {
            return .badRequest(.init(body: .applicationProblemJson(problem)))
        }
        let limit = query.limit ?? 50
        let found = try await database.run { pool -> [InboxNotification]? in
            guard try UnitScope.contains(id, for: principal, on: pool) else { return nil }
            return try Inbox().list(unit: id, unreadOnly: query.unread ?? false, before: query.cursor, limit: limit + 1, on: pool)
        }
        guard let found else { return .notFound(.init(body: .applicationProblemJson(UnitScope.notFound("unit", id)))) }
        let page = Array(found.prefix(limit))
        return .ok(.init(body: .json(.init(
            notifications: page.map(Components.Schemas.Notification.init), nextCursor: found.count > limit ? page.last?.id : nil
        ))))
    }

    func markNotificationRead(_ input: Operations.MarkNotificationRead.Input) async throws -> Operations.MarkNotificationRead.Output {
        let principal = try Principal.require(.editor)
        let id = input.path.id
        let marked = try await database.run { pool -> InboxNotification? in
            guard let notification = try Inbox().find(id, on: pool), try UnitScope.contains(notification.unitID, for: principal, on: pool) else {
                return nil
            }
            return try Inbox().markRead(id, on: pool)
        }
        guard let marked else { return .notFound(.init(body: .applicationProblemJson(UnitScope.notFound("notification", id)))) }
        return .ok(.init(body: .json(.init(marked))))
    }

    /// The ranges the generated code leaves to us: limit 1…200, cursor 1 or more.
    static func pageProblem(limit: Int?, cursor: Int64?) -> Components.Schemas.Problem? {
        if let limit, !(1...200).contains(limit) { return .problem(.badRequest, "limit must be 1 to 200, not \(limit)") }
        if let cursor, cursor < 1 { return .problem(.badRequest, "cursor must be 1 or more, as nextCursor gave it") }
        return nil
    }
}
