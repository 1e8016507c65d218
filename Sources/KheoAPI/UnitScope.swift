import DanVan
import HTTPTypes
import PostgresClient

/// What of the movement a token may see: its unit and everything under it.
enum UnitScope {
    /// The unit, when it is within the token's subtree; nil otherwise (the caller
    /// answers 404 either way, so a token learns nothing of units outside it).
    static func find(_ id: Int64, for principal: Principal, on executor: some PostgresExecutor) throws -> OrgUnit? {
        guard let unit = try UnitDirectory().find(id, on: executor), unit.path.contains(principal.unitID) else { return nil }
        return unit
    }

    static func contains(_ unit: Int64, for principal: Principal, on executor: some PostgresExecutor) throws -> Bool {
        try UnitDirectory().contains(principal.unitID, unit, on: executor)
    }

    static func notFound(_ what: String, _ id: Int64) -> Components.Schemas.Problem {
        .problem(.notFound, "no \(what) \(id) within your unit")
    }
}

extension Components.Schemas.Unit {
    init(_ unit: OrgUnit) {
        self.init(id: unit.id, parentId: unit.parentID, kind: .init(rawValue: unit.kind.rawValue) ?? .agency, name: unit.name, path: unit.path)
    }
}

extension Components.Schemas.Deadline {
    init(_ deadline: DanVan.Deadline) {
        self.init(
            id: deadline.id, unitId: deadline.unitID, kind: .init(rawValue: deadline.kind.rawValue) ?? .other, title: deadline.title,
            due: deadline.dueOn.description, status: .init(rawValue: deadline.status.rawValue) ?? .open
        )
    }
}

extension Components.Schemas.Notification {
    init(_ notification: InboxNotification) {
        self.init(
            id: notification.id, unitId: notification.unitID, kind: notification.kind, title: notification.title, body: notification.body,
            deadlineId: notification.deadlineID, createdAt: notification.createdAt, readAt: notification.readAt
        )
    }
}
