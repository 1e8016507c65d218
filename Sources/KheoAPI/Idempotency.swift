import DanVan
import Foundation
import PostgresClient

/// `Idempotency-Key` on a POST: the work runs once per token and key, and a repeat gets
/// the first response back.
///
/// The key's row is inserted in the transaction that does the work and holds the
/// response, so both commit together. A concurrent repeat's insert waits on the unique
/// key until the first transaction ends, then finds the stored response; if the first
/// rolled back, the repeat does the work itself.
enum Idempotency {
    enum Outcome<Response: Sendable>: Sendable {
        /// The work ran now (or there was no key).
        case fresh(Response)
        /// A request with this key ran before: its response.
        case replay(Response)
        /// The key was used before for another operation or body.
        case conflict

        var response: Response? {
            switch self {
            case .fresh(let response), .replay(let response): response
            case .conflict: nil
            }
        }
    }

    /// A request's body in one spelling (keys sorted), so the same request hashes the
    /// same however the client ordered its fields.
    static func canonical(_ body: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(body), as: UTF8.self)
    }

    /// Runs `work` in `connection`'s open transaction unless `key` was used before.
    /// `request` is the request in a canonical form, hashed to tell a reuse of the key.
    static func once<Response: Codable & Sendable>(
        key: String, principal: Principal, operation: String, request: String, in connection: PostgresConnection,
        _ work: () throws -> Response
    ) throws -> Outcome<Response> {
        let claimed = try connection.query(
            """
            INSERT INTO danvan.api_idempotency_keys (token_id, key, operation, request_hash)
            VALUES ($1, $2, $3, digest($4, 'sha256'))
            ON CONFLICT (token_id, key) DO NOTHING RETURNING 1 AS claimed
            """,
            principal.tokenID, key, operation, request
        ).first != nil
        guard claimed else {
            let row = try connection.query(
                """
                SELECT response, operation = $3 AND request_hash = digest($4, 'sha256') AS same
                FROM danvan.api_idempotency_keys WHERE token_id = $1 AND key = $2
                """,
                principal.tokenID, key, operation, request
            ).single()
            guard try row.decode("same", as: Bool.self), let response = try row.decode("response", as: String?.self) else { return .conflict }
            return .replay(try JSONDecoder().decode(Response.self, from: Data(response.utf8)))
        }
        let response = try work()
        try connection.query(
            "UPDATE danvan.api_idempotency_keys SET status = 201, response = $3 WHERE token_id = $1 AND key = $2",
            principal.tokenID, key, String(decoding: try JSONEncoder().encode(response), as: UTF8.self)
        )
        return .fresh(response)
    }
}
