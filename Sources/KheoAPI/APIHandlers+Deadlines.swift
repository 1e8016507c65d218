import DanVan
import Foundation
import HTTPTypes
import PostgresClient

/// `/v1/deadlines`: list, create, meet, withdraw, within the token's subtree. Each
/// change tells the units concerned in its own transaction (see `DeadlineBook`).
extension APIHandlers {
    func listDeadlines(_ input: Operations.ListDeadlines.Input) async throws -> Operations.ListDeadlines.Output {
        let principal = try Principal.require(.viewer)
        let query = input.query
        if let problem = Self.pageProblem(limit: query.limit, cursor: query.cursor) {
            return .badRequest(.init(body: .applicationProblemJson(problem)))
        }
        let unit = query.unit ?? principal.unitID
        let limit = query.limit ?? 50
        let status = query.status.flatMap { DanVan.Deadline.Status(rawValue: $0.rawValue) }
        let found = try await database.run { pool -> [DanVan.Deadline]? in
            guard unit >= 1, try UnitScope.contains(unit, for: principal, on: pool) else { return nil }
            return try DeadlineBook().list(under: unit, status: status, before: query.cursor, limit: limit + 1, on: pool)
        }
        guard let found else { return .notFound(.init(body: .applicationProblemJson(UnitScope.notFound("unit", unit)))) }
        let page = Array(found.prefix(limit))
        return .ok(.init(body: .json(.init(deadlines: page.map(Components.Schemas.Deadline.init), nextCursor: found.count > limit ? page.last?.id : nil))))
    }

    func createDeadline(_ input: Operations.CreateDeadline.Input) async throws -> Operations.CreateDeadline.Output {
        let principal = try Principal.require(.editor)
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        let due: CivilDate
        do {
            due = try CivilDate(parsing: request.due)
        } catch {
            return .badRequest(.init(body: .applicationProblemJson(.problem(.badRequest, "due: \(error)"))))
        }
        guard let kind = DanVan.Deadline.Kind(rawValue: request.kind.rawValue) else { throw Problem(.badRequest, "kind") }
        if let key = input.headers.idempotencyKey, !(1...200).contains(key.unicodeScalars.count) {
            return .badRequest(.init(body: .applicationProblemJson(.problem(.badRequest, "Idempotency-Key must be 1 to 200 characters"))))
        }
        let key = input.headers.idempotencyKey
        let canonical = key == nil ? "" : try Idempotency.canonical(request)
        let outcome: Idempotency.Outcome<Int64>?
        do {
            outcome = try await database.run { pool -> Idempotency.Outcome<Int64>? in
                try pool.transaction { connection -> Idempotency.Outcome<Int64>? in
                    guard request.unitId >= 1, try UnitScope.contains(request.unitId, for: principal, on: connection) else { return nil }
                    let create = { try DeadlineBook().create(for: request.unitId, kind: kind, title: request.title, due: due, in: connection).id }
                    guard let key else { return .fresh(try create()) }
                    return try Idempotency.once(key: key, principal: principal, operation: "createDeadline", request: canonical, in: connection, create)
                }
            }
        } catch let error as DeadlineError {
            return .badRequest(.init(body: .applicationProblemJson(.problem(.badRequest, error.description))))
        }
        guard let outcome else { return .notFound(.init(body: .applicationProblemJson(UnitScope.notFound("unit", request.unitId)))) }
        guard let id = outcome.response else {
            return .conflict(.init(body: .applicationProblemJson(.problem(.conflict, "this Idempotency-Key was used before for another request"))))
        }
        let deadline = try await database.run { pool in try DeadlineBook().find(id, on: pool) }
        guard let deadline else { throw Problem(.internalServerError, "deadline \(id) vanished after it was created") }
        return .created(.init(body: .json(.init(deadline))))
    }

    func meetDeadline(_ input: Operations.MeetDeadline.Input) async throws -> Operations.MeetDeadline.Output {
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        let day = try APIInput.day(request.day, "day")
        let deadline = try await close(input.path.id, key: input.headers.idempotencyKey, operation: "meetDeadline", request: request) { id, connection in
            try DeadlineBook().meet(id, on: day, in: connection)
        }
        return .ok(.init(body: .json(.init(deadline))))
    }

    func withdrawDeadline(_ input: Operations.WithdrawDeadline.Input) async throws -> Operations.WithdrawDeadline.Output {
        let deadline = try await close(input.path.id, key: input.headers.idempotencyKey, operation: "withdrawDeadline", request: input.path.id) { id, connection in
            try DeadlineBook().withdraw(id, in: connection)
        }
        return .ok(.init(body: .json(.init(deadline))))
    }

    /// Meets or withdraws a deadline the token may see; an editor's at least. With an
    /// `Idempotency-Key`, a repeat answers the deadline as it is instead of 409.
    private func close(
        _ id: Int64, key: String?, operation: String, request: some Encodable,
        _ action: @escaping @Sendable (Int64, PostgresConnection) throws -> DanVan.Deadline
    ) async throws -> DanVan.Deadline {
        let principal = try Principal.require(.editor)
        let closed = try await transaction(key: key, principal: principal, operation: operation + ":\(id)", request: request) { connection in
            guard let deadline = try DeadlineBook().find(id, on: connection) else { throw Problem(.notFound, "no deadline \(id) within your unit") }
            try APIInput.requireScope(deadline.unitID, principal, on: connection, what: "deadline", id: id)
            return try action(id, connection).id
        }
        guard let deadline = try await database.run({ pool in try DeadlineBook().find(closed, on: pool) }) else {
            throw Problem(.internalServerError, "deadline \(closed) vanished after it was changed")
        }
        return deadline
    }
}
