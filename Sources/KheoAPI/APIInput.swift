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

    /// The page size (1…200, 50 when absent), with the cursor checked.
    static func limit(_ limit: Int?, cursor: Int64?) throws -> Int {
        if let problem = APIHandlers.pageProblem(limit: limit, cursor: cursor) { throw Problem(.badRequest, problem.detail) }
        return limit ?? 50
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

    static func range(_ value: Int?, _ field: String, _ allowed: ClosedRange<Int>) throws {
        if let value, !allowed.contains(value) {
            throw Problem(.badRequest, "\(field) must be \(allowed.lowerBound) to \(allowed.upperBound), not \(value)")
        }
    }

    /// Refuses a unit outside the token's subtree with the same 404 as one that does
    /// not exist, so a token learns nothing of other units.
    static func requireScope(_ unit: Int64, _ principal: Principal, on executor: some PostgresExecutor, what: String = "unit", id: Int64? = nil) throws {
        guard unit >= 1, try UnitScope.contains(unit, for: principal, on: executor) else {
            throw Problem(.notFound, "no \(what) \(id ?? unit) within your unit")
        }
    }
}
