import DanVan
import HTTPTypes
import PostgresClient

/// Checks the generated code leaves to the handlers (dates, ranges, keys, scope); each
/// refusal is a `Problem` that names the input at fault.
enum APIInput {
    /// A dd/mm/yyyy day that exists.
    static func day(_ text: String, _ field: String) throws -> CivilDate {
        do {
            return try CivilDate(parsing: text)
        } catch {
            throw Problem(.badRequest, "\(field): \(error)")
        }
    }

    /// The page size (1…200, 50 when absent), with the cursor checked: the ranges the
    /// generated code leaves to us.
    static func limit(_ limit: Int?, cursor: Int64?) throws -> Int {
        if let limit, !(1...200).contains(limit) { throw Problem(.badRequest, "limit must be 1 to 200, not \(limit)") }
        if let cursor, cursor < 1 { throw Problem(.badRequest, "cursor must be 1 or more, as nextCursor gave it") }
        return limit ?? 50
    }

    /// A page from rows fetched `limit + 1` at a time (newest first), and the cursor of
    /// the next page when that extra row says there is one.
    static func page<Row>(_ found: [Row], limit: Int, id: KeyPath<Row, Int64>) -> (rows: [Row], next: Int64?) {
        let rows = Array(found.prefix(limit))
        return (rows, found.count > limit ? rows.last?[keyPath: id] : nil)
    }

    static func idempotencyKey(_ key: String?) throws -> String? {
        if let key, !(1...200).contains(key.unicodeScalars.count) {
            throw Problem(.badRequest, "Idempotency-Key must be 1 to 200 characters")
        }
        return key
    }

    /// An optional id filter: 1 or more, as the document says.
    static func id(_ value: Int64?, _ field: String) throws {
        if let value, value < 1 { throw Problem(.badRequest, "\(field) must be 1 or more, not \(value)") }
    }

    /// A number the document bounds (the generated code does not check bounds).
    static func number(_ value: Double, _ field: String, _ allowed: ClosedRange<Double>, excludingLower: Bool = false) throws {
        guard value.isFinite, allowed.contains(value), !(excludingLower && value == allowed.lowerBound) else {
            throw Problem(.badRequest, "\(field) must be \(excludingLower ? "over" : "at least") \(allowed.lowerBound) and at most \(allowed.upperBound), not \(value)")
        }
    }

    /// An array the document bounds to `limit` items.
    static func count(_ count: Int?, _ field: String, atMost limit: Int) throws {
        if let count, count > limit { throw Problem(.badRequest, "\(field): at most \(limit) items, not \(count)") }
    }

    static func range(_ value: Int?, _ field: String, _ allowed: ClosedRange<Int>) throws {
        if let value, !allowed.contains(value) {
            throw Problem(.badRequest, "\(field) must be \(allowed.lowerBound) to \(allowed.upperBound), not \(value)")
        }
    }

    /// `found` when it exists and `Authority` lets the caller perform `action` on
    /// it; the same 404 when it does not exist or lies outside the token's subtree.
    static func scoped<Value>(
        _ found: Value?, _ action: Action, subject: (Value) -> Subject, _ principal: Principal, on executor: some PostgresExecutor,
        what: String, id: Int64
    ) throws -> Value {
        guard let found else { throw Problem(.notFound, AuthorityError.notFound(what: what, id: id).description) }
        try authorise(action, principal, subject(found), on: executor)
        return found
    }

    /// As `scoped`, for a record that belongs to one unit.
    static func scoped<Value>(
        _ found: Value?, _ action: Action, unit: (Value) -> Int64, _ principal: Principal, on executor: some PostgresExecutor,
        what: String, id: Int64
    ) throws -> Value {
        try scoped(found, action, subject: { .record(what, id, unit: unit($0)) }, principal, on: executor, what: what, id: id)
    }

    /// Refuses `action` on `unit` (or a new record of it) unless `Authority` allows
    /// it: a unit outside the token's subtree answers the same 404 as one that does not
    /// exist, so a token learns nothing of other units.
    static func requireScope(
        _ action: Action, unit: Int64, _ principal: Principal, on executor: some PostgresExecutor, what: String = "unit"
    ) throws {
        guard unit >= 1 else { throw Problem(.notFound, AuthorityError.notFound(what: what, id: unit).description) }
        try authorise(action, principal, .unit(unit, what: what), on: executor)
    }

    /// `Authority.require`, its refusal as the problem the API answers.
    static func authorise(_ action: Action, _ principal: Principal, _ subject: Subject, on executor: some PostgresExecutor) throws {
        do {
            try Authority.require(action, by: principal, on: subject, in: executor)
        } catch let refusal as AuthorityError {
            throw DomainProblem.from(refusal) ?? Problem(.forbidden, refusal.description)
        }
    }
}
