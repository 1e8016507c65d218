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
        let limit = try APIInput.limit(query.limit, cursor: query.cursor)
        let found = try await database.run { pool in
            try APIInput.requireScope(id, principal, on: pool)
            return try Inbox().list(unit: id, unreadOnly: query.unread ?? false, before: query.cursor, limit: limit + 1, on: pool)
        }
        let page = APIInput.page(found, limit: limit, id: \.id)
        return .ok(.init(body: .json(.init(notifications: page.rows.map(Components.Schemas.Notification.init), nextCursor: page.next))))
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
}
