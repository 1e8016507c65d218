import DanVan
import HTTPTypes
import PostgresClient

/// `/v1/units`, their inboxes, and notifications: within the token's subtree.
extension APIHandlers {
    func getUnit(_ input: Operations.GetUnit.Input) async throws -> Operations.GetUnit.Output {
        let principal = try Principal.require(.readUnits)
        let id = input.path.unitId
        let unit = try await database.run { pool in
            try APIInput.scoped(UnitDirectory().find(id, on: pool), .readUnits, unit: \.id, principal, on: pool, what: "unit", id: id)
        }
        return .ok(.init(body: .json(.init(unit))))
    }

    func listSubtree(_ input: Operations.ListSubtree.Input) async throws -> Operations.ListSubtree.Output {
        let principal = try Principal.require(.readUnits)
        let id = input.path.unitId
        let units = try await database.run { pool in
            _ = try APIInput.scoped(UnitDirectory().find(id, on: pool), .readUnits, unit: \.id, principal, on: pool, what: "unit", id: id)
            return try UnitDirectory().subtree(of: id, on: pool)
        }
        return .ok(.init(body: .json(.init(units: units.map(Components.Schemas.Unit.init)))))
    }

    func listInbox(_ input: Operations.ListInbox.Input) async throws -> Operations.ListInbox.Output {
        let principal = try Principal.require(.readInbox)
        let id = input.path.unitId
        let query = input.query
        let limit = try APIInput.limit(query.limit, cursor: query.cursor)
        let found = try await database.run { pool in
            try APIInput.requireScope(.readInbox, unit: id, principal, on: pool)
            return try Inbox().list(unit: id, unreadOnly: query.unread ?? false, before: query.cursor, limit: limit + 1, on: pool)
        }
        let page = APIInput.page(found, limit: limit, id: \.id)
        return .ok(.init(body: .json(.init(notifications: page.rows.map(Components.Schemas.Notification.init), nextCursor: page.next))))
    }

    func markNotificationRead(_ input: Operations.MarkNotificationRead.Input) async throws -> Operations.MarkNotificationRead.Output {
        let principal = try Principal.require(.markNotificationRead)
        let id = input.path.id
        let marked = try await database.run { pool in
            _ = try APIInput.scoped(Inbox().find(id, on: pool), .markNotificationRead, unit: \.unitID, principal, on: pool, what: "notification", id: id)
            return try Inbox().markRead(id, on: pool)
        }
        guard let marked else { throw Problem(.notFound, AuthorityError.notFound(what: "notification", id: id).description) }
        return .ok(.init(body: .json(.init(marked))))
    }
}
