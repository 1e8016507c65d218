import DanVan
import Foundation
import HTTPTypes
import PostgresClient

/// `/v1/deadlines`: list, create, meet, withdraw, move, within the token's subtree. Who
/// may meet, withdraw or move one is `DeadlineBook`'s to check (through `Authority`); each change
/// tells the units concerned in its own transaction.
extension APIHandlers {
    func listDeadlines(_ input: Operations.ListDeadlines.Input) async throws -> Operations.ListDeadlines.Output {
        let principal = try Principal.require(.readDeadlines)
        let query = input.query
        let limit = try APIInput.limit(query.limit, cursor: query.cursor)
        let unit = try principal.defaultUnit(query.unit)
        let status = query.status.flatMap { DanVan.Deadline.Status(rawValue: $0.rawValue) }
        let found = try await database.run { pool in
            try APIInput.requireScope(.readDeadlines, unit: unit, principal, on: pool)
            return try DeadlineBook().list(under: unit, status: status, before: query.cursor, limit: limit + 1, on: pool)
        }
        let page = APIInput.page(found, limit: limit, id: \.id)
        return .ok(.init(body: .json(.init(deadlines: page.rows.map(Components.Schemas.Deadline.init), nextCursor: page.next))))
    }

    func createDeadline(_ input: Operations.CreateDeadline.Input) async throws -> Operations.CreateDeadline.Output {
        let principal = try Principal.require(.createDeadline)
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        let due = try APIInput.day(request.due, "due")
        guard let kind = DanVan.Deadline.Kind(rawValue: request.kind.rawValue) else { throw Problem(.badRequest, "kind") }
        let id = try await transaction(key: input.headers.idempotencyKey, principal: principal, operation: "createDeadline", request: request) { connection in
            try DeadlineBook().create(
                for: request.unitId, kind: kind, title: request.title, due: due, by: principal, campaign: request.campaignId, in: connection
            ).id
        }
        guard let deadline = try await database.run({ pool in try DeadlineBook().find(id, on: pool) }) else {
            throw Problem(.internalServerError, "deadline \(id) vanished after it was created")
        }
        return .created(.init(body: .json(.init(deadline))))
    }

    func meetDeadline(_ input: Operations.MeetDeadline.Input) async throws -> Operations.MeetDeadline.Output {
        let principal = try Principal.require(.meetDeadline)
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        let day = try APIInput.day(request.day, "day")
        let deadline = try await close(input.path.id, principal, key: input.headers.idempotencyKey, operation: "meetDeadline", request: request) { id, connection in
            try DeadlineBook().meet(id, on: day, by: principal, in: connection)
        }
        return .ok(.init(body: .json(.init(deadline))))
    }

    func withdrawDeadline(_ input: Operations.WithdrawDeadline.Input) async throws -> Operations.WithdrawDeadline.Output {
        let principal = try Principal.require(.withdrawDeadline)
        let deadline = try await close(
            input.path.id, principal, key: input.headers.idempotencyKey, operation: "withdrawDeadline", request: input.path.id
        ) { id, connection in
            try DeadlineBook().withdraw(id, by: principal, in: connection)
        }
        return .ok(.init(body: .json(.init(deadline))))
    }

    func moveDeadline(_ input: Operations.MoveDeadline.Input) async throws -> Operations.MoveDeadline.Output {
        let principal = try Principal.require(.moveDeadline)
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        let due = try APIInput.day(request.due, "due")
        let deadline = try await close(input.path.id, principal, key: input.headers.idempotencyKey, operation: "moveDeadline", request: request) { id, connection in
            try DeadlineBook().move(id, to: due, by: principal, in: connection)
        }
        return .ok(.init(body: .json(.init(deadline))))
    }

    /// Meets, withdraws or moves a deadline. With an `Idempotency-Key`, a repeat answers the
    /// deadline as it is instead of 409.
    private func close(
        _ id: Int64, _ principal: Principal, key: String?, operation: String, request: some Encodable,
        _ action: @escaping @Sendable (Int64, PostgresConnection) throws -> DanVan.Deadline
    ) async throws -> DanVan.Deadline {
        let closed = try await transaction(key: key, principal: principal, operation: operation + ":\(id)", request: request) { connection in
            try action(id, connection).id
        }
        guard let deadline = try await database.run({ pool in try DeadlineBook().find(closed, on: pool) }) else {
            throw Problem(.internalServerError, "deadline \(closed) vanished after it was changed")
        }
        return deadline
    }
}
