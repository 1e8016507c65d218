import DanVan
import HTTPTypes
import PostgresClient

/// `/v1/units/{unitId}/webhook`: where a unit's notifications are also POSTed. A unit's
/// admin sets and removes it (`Authority`'s `manageWebhook`); the secret goes in and
/// never comes back out, and below the admin role the URL is shown without its query.
extension APIHandlers {
    func getWebhook(_ input: Operations.GetWebhook.Input) async throws -> Operations.GetWebhook.Output {
        let principal = try Principal.require(.readWebhook)
        let unit = input.path.unitId
        let webhook = try await database.run { pool in
            try APIInput.requireScope(.readWebhook, unit: unit, principal, on: pool)
            return try Webhooks().find(unit: unit, on: pool)
        }
        guard let webhook, webhook.active else { throw Problem(.notFound, "unit \(unit) has no webhook endpoint: set one with PUT") }
        return .ok(.init(body: .json(.init(webhook, fullURL: principal.role >= Action.manageWebhook.rule.role))))
    }

    func setWebhook(_ input: Operations.SetWebhook.Input) async throws -> Operations.SetWebhook.Output {
        let principal = try Principal.require(.manageWebhook)
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        let unit = input.path.unitId
        _ = try await transaction(key: nil, principal: principal, operation: "setWebhook", request: request) { connection in
            try APIInput.requireScope(.manageWebhook, unit: unit, principal, on: connection)
            return try Webhooks().register(unit: unit, url: request.url, secret: request.secret, on: connection)
        }
        return .ok(.init(body: .json(.init(try await webhook(of: unit), fullURL: true))))
    }

    func deleteWebhook(_ input: Operations.DeleteWebhook.Input) async throws -> Operations.DeleteWebhook.Output {
        let principal = try Principal.require(.manageWebhook)
        let unit = input.path.unitId
        let removed = try await database.run { pool in
            try APIInput.requireScope(.manageWebhook, unit: unit, principal, on: pool)
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
    init(_ webhook: Webhook, fullURL: Bool) {
        self.init(
            id: webhook.id, unitId: webhook.unitID, url: fullURL ? webhook.url : webhook.redactedURL, active: webhook.active,
            createdAt: webhook.createdAt,
            deliveries: .init(pending: webhook.pending, delivered: webhook.delivered, givenUp: webhook.givenUp, refused: webhook.refused)
        )
    }
}
