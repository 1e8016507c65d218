public import Foundation
public import PostgresClient

/// A unit's webhook endpoint as the API shows it: never its secret.
public struct Webhook: Sendable, Equatable {
    public let id: Int64
    public let unitID: Int64
    public let url: String
    public let active: Bool
    public let createdAt: Date
    /// Deliveries waiting for a retry, delivered, given up, and refused (the address
    /// is not one webhooks may reach, or it redirected).
    public let pending: Int
    public let delivered: Int
    public let givenUp: Int
    public let refused: Int

    /// The URL without anything that may be a secret (its query and fragment, where
    /// receivers often put a token): what a unit's viewers and editors are shown.
    public var redactedURL: String {
        guard var parts = URLComponents(string: url) else { return "" }
        parts.query = nil
        parts.fragment = nil
        parts.user = nil
        parts.password = nil
        return parts.string ?? ""
    }
}

extension Webhooks {
    /// A unit's endpoint with its delivery counts, or nil when it has none.
    public func find(unit: Int64, on executor: some PostgresExecutor) throws -> Webhook? {
        guard let row = try executor.query(
            """
            SELECT w.id, w.unit_id, w.url, w.active, w.created_at,
                   count(*) FILTER (WHERE d.status = 'pending') AS pending,
                   count(*) FILTER (WHERE d.status = 'delivered') AS delivered,
                   count(*) FILTER (WHERE d.status = 'given_up') AS given_up,
                   count(*) FILTER (WHERE d.status = 'refused') AS refused
            FROM danvan.webhooks AS w LEFT JOIN danvan.webhook_deliveries AS d ON d.webhook_id = w.id
            WHERE w.unit_id = $1 GROUP BY w.id
            """,
            unit
        ).first else { return nil }
        return Webhook(
            id: try row.decode("id"), unitID: try row.decode("unit_id"), url: try row.decode("url"), active: try row.decode("active"),
            createdAt: try row.decode("created_at"), pending: Int(try row.decode("pending", as: Int64.self)),
            delivered: Int(try row.decode("delivered", as: Int64.self)), givenUp: Int(try row.decode("given_up", as: Int64.self)),
            refused: Int(try row.decode("refused", as: Int64.self))
        )
    }

    /// Stops deliveries to a unit's endpoint (registering it again turns them back on);
    /// false when the unit has no active one. The row stays: past deliveries name it.
    @discardableResult
    public func deactivate(unit: Int64, on executor: some PostgresExecutor) throws -> Bool {
        try executor.query("UPDATE danvan.webhooks SET active = false WHERE unit_id = $1 AND active RETURNING id", unit).first != nil
    }
}
