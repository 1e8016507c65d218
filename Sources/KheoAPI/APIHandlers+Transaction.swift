import DanVan
import HTTPTypes
import PostgresClient

extension APIHandlers {
    /// Runs `work` in one transaction, with `Idempotency-Key` when the request has one:
    /// a repeat gets the first response, a reuse with another body 409. Domain refusals
    /// become their problems, and roll everything back, the key's row included.
    func transaction<Response: Codable & Sendable>(
        key: String?, principal: Principal, operation: String, request: some Encodable,
        _ work: @escaping @Sendable (PostgresConnection) throws -> Response
    ) async throws -> Response {
        let key = try APIInput.idempotencyKey(key)
        let canonical = key == nil ? "" : try Idempotency.canonical(request)
        let outcome: Idempotency.Outcome<Response>
        do {
            outcome = try await database.run { pool in
                try pool.transaction { connection in
                    guard let key else { return .fresh(try work(connection)) }
                    return try Idempotency.once(key: key, principal: principal, operation: operation, request: canonical, in: connection) {
                        try work(connection)
                    }
                }
            }
        } catch {
            throw DomainProblem.from(error) ?? error
        }
        guard let response = outcome.response else {
            throw Problem(.conflict, "this Idempotency-Key was used before for another request; use a new key for new work")
        }
        return response
    }
}
