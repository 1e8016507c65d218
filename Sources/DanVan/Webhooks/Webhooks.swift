import Foundation
public import PostgresClient

/// Units' webhook endpoints: where their notifications are also POSTed.
public struct Webhooks: Sendable {
    public enum WebhookError: Error, Sendable, Equatable, CustomStringConvertible {
        case unitNotFound(Int64)
        case invalidURL(String)
        case weakSecret

        public var description: String {
            switch self {
            case .unitNotFound(let id): "unit \(id) does not exist"
            case .invalidURL: "the URL must be http:// or https://, with a host and no user name or password"
            case .weakSecret: "the secret must be 16 to 200 characters"
            }
        }
    }

    public init() {}

    /// Sets (or replaces) a unit's endpoint and its signing secret; returns its id.
    @discardableResult
    public func register(unit: Int64, url: String, secret: String, on executor: some PostgresExecutor) throws -> Int64 {
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.count <= 2000, !url.contains(where: \.isWhitespace),
              let parsed = URLComponents(string: url), let host = parsed.host, !host.isEmpty, parsed.user == nil, parsed.password == nil
        else {
            throw WebhookError.invalidURL(url)
        }
        guard (16...200).contains(secret.count) else { throw WebhookError.weakSecret }
        do {
            return try executor.query(
                """
                INSERT INTO danvan.webhooks (unit_id, url, secret) VALUES ($1, $2, $3)
                ON CONFLICT (unit_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, active = true
                RETURNING id
                """,
                unit, url, secret
            ).single().decode("id")
        } catch {
            guard error.sqlState == "23503" else { throw error }
            throw WebhookError.unitNotFound(unit)
        }
    }
}
