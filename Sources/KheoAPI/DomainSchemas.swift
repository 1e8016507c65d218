import DanVan
import HTTPTypes
import PostgresClient

// The movement's records as the API document shapes them.
extension Components.Schemas.Unit {
    init(_ unit: OrgUnit) {
        self.init(
            id: unit.id, parentId: unit.parentID, kind: .init(rawValue: unit.kind.rawValue) ?? .agency, name: unit.name, path: unit.path,
            validFrom: unit.validFrom?.description, validUntil: unit.validUntil?.description, successorId: unit.successorID, code: unit.code
        )
    }
}

extension Components.Schemas.Deadline {
    init(_ deadline: DanVan.Deadline) {
        self.init(
            id: deadline.id, unitId: deadline.unitID, issuerUnitId: deadline.issuerUnitID, metOn: deadline.metOn?.description,
            metLate: deadline.metLate, kind: .init(rawValue: deadline.kind.rawValue) ?? .other, title: deadline.title,
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
