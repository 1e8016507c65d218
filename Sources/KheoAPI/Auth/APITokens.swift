public import DanVan
import Foundation
public import PostgresClient

/// Creates, revokes and checks bearer tokens. A token is `kheo_` and 43 characters of
/// base64url (32 random bytes); the database keeps its SHA-256 only.
public struct APITokens: Sendable {
    public enum TokenError: Error, Sendable, Equatable, CustomStringConvertible {
        case unitNotFound(Int64)
        case notFound(String)
        /// An operator token names no unit; every other role names one.
        case unitAndRole(Principal.Role)

        public var description: String {
            switch self {
            case .unitNotFound(let id): "unit \(id) does not exist"
            case .unitAndRole(let role):
                role == .operator ? "an operator token acts for every unit: give no --unit" : "a \(role.rawValue) token acts for one unit: give --unit ID"
            case .notFound(let prefix): "no active token starts with \(prefix)"
            }
        }
    }

    /// A new token, shown once.
    public struct Created: Sendable {
        public let id: Int64
        public let token: String
        public let prefix: String
    }

    public init() {}

    /// A token for `unit` with `role`, or with `unit: nil` an operator's.
    public func create(unit: Int64?, role: Principal.Role, label: String = "", on executor: some PostgresExecutor) throws -> Created {
        guard (role == .operator) == (unit == nil) else { throw TokenError.unitAndRole(role) }
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        let token = "kheo_" + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let prefix = String(token.prefix(12))
        do {
            let id: Int64 = try executor.query(
                """
                INSERT INTO danvan.api_tokens (token_hash, prefix, unit_id, role, label)
                VALUES (digest($1, 'sha256'), $2, $3, $4, normalize($5, NFC)) RETURNING id
                """,
                token, prefix, unit, role.rawValue, label
            ).single().decode("id")
            return Created(id: id, token: token, prefix: prefix)
        } catch {
            guard error.sqlState == "23503" else { throw error }
            throw TokenError.unitNotFound(unit ?? 0)
        }
    }

    /// Revokes every active token that starts with `prefix` (at least its first 12
    /// characters, as `create` showed them); returns how many.
    @discardableResult
    public func revoke(prefix: String, on executor: some PostgresExecutor) throws -> Int {
        let revoked = try executor.query(
            "UPDATE danvan.api_tokens SET revoked_at = now() WHERE prefix = left($1, 12) AND revoked_at IS NULL AND char_length($1) >= 12 RETURNING id",
            prefix
        ).count
        guard revoked > 0 else { throw TokenError.notFound(prefix) }
        return revoked
    }

    /// The principal of an active token, or nil.
    public func authenticate(_ token: String, on executor: some PostgresExecutor) throws -> Principal? {
        guard token.hasPrefix("kheo_"), token.utf8.count <= 100 else { return nil }
        guard let row = try executor.query(
            "SELECT id, unit_id, role FROM danvan.api_tokens WHERE token_hash = digest($1, 'sha256') AND revoked_at IS NULL",
            token
        ).first else { return nil }
        let id: Int64 = try row.decode("id")
        guard let role = Principal.Role(rawValue: try row.decode("role")) else { return nil }
        if role == .operator { return .operator(token: id) }
        guard let unit = try row.decode("unit_id", as: Int64?.self) else { return nil }
        return .unit(unit, role, token: id)
    }
}
