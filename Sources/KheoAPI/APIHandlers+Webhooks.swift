import DanVan
import HTTPTypes
import PostgresClient

/// `/v1/units/{unitId}/webhook`: where a unit's notifications are also POSTed. The
/// secret goes in and never comes back out.
extension APIHandlers {
    func getWebhook(_ input: Operations.GetWebhook.Input) async throws -> Operations.GetWebhook.Output {
        let principal = try Principal.require(.viewer)
        let unit = input.path.unitId
        let webhook = try await database.run { pool in
            try APIInput.requireScope(unit, principal, on: pool)
            return try Webhooks().find(unit: unit, on: pool)
        }
        guard let webhook, webhook.active else { throw Problem(.notFound, "unit \(unit) has no webhook endpoint: set one with PUT") }
        return .ok(.init(body: .json(.init(webhook))))
    }

    func setWebhook(_ input: Operations.SetWebhook.Input) async throws -> Operations.SetWebhook.Output {
        let principal = try Principal.require(.editor)
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        let unit = input.path.unitId
        _ = try await transaction(key: nil, principal: principal, operation: "setWebhook", request: request) { connection in
            try APIInput.requireScope(unit, principal, on: connection)
            return try Webhooks().register(unit: unit, url: request.url, secret: request.secret, on: connection)
        }
        return .ok(.init(body: .json(.init(try await webhook(of: unit)))))
    }

    func deleteWebhook(_ input: Operations.DeleteWebhook.Input) async throws -> Operations.DeleteWebhook.Output {
        let principal = try Principal.require(.editor)
        let unit = input.path.unitId
        let removed = try await database.run { pool in
            try APIInput.requireScope(unit, principal, on: pool)
            return try Webhooks().deactivate(unit: unit, on: pool)
        }
        guard removed else { throw Problem(.notFound, "unit \(unit) has no webhook endpoint") }
        return .noContent(.init())
    }

    private func webhook(of unit: Int64) async throws -> Webhook {
        guard let webhook = try await database.run({ pool in try Webhooks().find(unit: unit, on: pool) }) else {
            throw Problem(.internalServerError, "the webhook of unit \(unit) vanished after it was written")
        }
        return webhook
    }
}

extension Components.Schemas.Webhook {
    init(_ webhook: Webhook) {
        self.init(
            id: webhook.id, unitId: webhook.unitID, url: webhook.url, active: webhook.active, createdAt: webhook.createdAt,
            deliveries: .init(pending: webhook.pending, delivered: webhook.delivered, givenUp: webhook.givenUp)
        )
    }
}
