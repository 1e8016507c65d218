import DanVan
import Foundation
import PostgresClient

/// Sign-in sessions of the web console (`danvan.console_sessions`): a token exchanged
/// for a random cookie secret, valid for `lifetime` and only while its token is not
/// revoked. The database keeps the secret's SHA-256, never the secret.
struct ConsoleSessions: Sendable {
    /// A session as a request sees it.
    struct Session: Sendable, Equatable {
        let id: Int64
        let principal: Principal
        let csrfToken: String
        let expiresAt: Date
        /// The token's label, shown on every page beside its unit and role.
        let label: String
        /// The unit's name as it stands (nil for an operator), for the same banner.
        var unitName: String? = nil
    }

    /// A session just created: the cookie secret is shown once, to the browser.
    struct Created: Sendable {
        let secret: String
        let session: Session
    }

    let lifetime: Duration

    init(lifetime: Duration = .seconds(8 * 3600)) { self.lifetime = lifetime }

    /// Signs in with an API token; nil when the token is unknown or revoked.
    func signIn(token: String, on executor: some PostgresExecutor) throws -> Created? {
        guard let principal = try APITokens().authenticate(token, on: executor), let tokenID = principal.tokenID else { return nil }
        // Each sign-in clears what ended a day ago, so the table stays the size of
        // the sessions in use.
        try prune(on: executor)
        let secret = Self.randomToken()
        let csrf = Self.randomToken()
        let row = try executor.query(
            """
            INSERT INTO danvan.console_sessions (secret_hash, csrf_token, token_id, expires_at)
            VALUES (digest($1, 'sha256'), $2, $3, now() + make_interval(secs => $4))
            RETURNING id, expires_at, (SELECT label FROM danvan.api_tokens WHERE id = $3) AS label
            """,
            secret, csrf, tokenID, Double(lifetime.components.seconds)
        ).single()
        return Created(
            secret: secret,
            session: Session(id: try row.decode("id"), principal: principal, csrfToken: csrf, expiresAt: try row.decode("expires_at"), label: try row.decode("label"))
        )
    }

    /// The live session of a cookie secret: not ended, not expired, its token not
    /// revoked (checked in the same statement, so revocation takes effect at once).
    func find(secret: String, on executor: some PostgresExecutor) throws -> Session? {
        guard secret.utf8.count == 43 else { return nil }
        guard let row = try executor.query(
            """
            SELECT s.id, s.csrf_token, s.expires_at, t.id AS token_id, t.unit_id, t.role::text AS role, t.label, u.name AS unit_name
            FROM danvan.console_sessions AS s JOIN danvan.api_tokens AS t ON t.id = s.token_id
            LEFT JOIN danvan.units AS u ON u.id = t.unit_id
            WHERE s.secret_hash = digest($1, 'sha256') AND s.ended_at IS NULL AND s.expires_at > now() AND t.revoked_at IS NULL
            """,
            secret
        ).first else { return nil }
        guard let role = Principal.Role(rawValue: try row.decode("role")) else { return nil }
        let tokenID: Int64 = try row.decode("token_id")
        let principal: Principal
        if role == .operator {
            principal = .operator(token: tokenID)
        } else {
            guard let unit = try row.decode("unit_id", as: Int64?.self) else { return nil }
            principal = .unit(unit, role, token: tokenID)
        }
        return Session(
            id: try row.decode("id"), principal: principal, csrfToken: try row.decode("csrf_token"), expiresAt: try row.decode("expires_at"),
            label: try row.decode("label"), unitName: try row.decode("unit_name")
        )
    }

    /// Ends a session (sign-out): its cookie stops working even if kept.
    func end(_ id: Int64, on executor: some PostgresExecutor) throws {
        _ = try executor.query("UPDATE danvan.console_sessions SET ended_at = now() WHERE id = $1 AND ended_at IS NULL", id)
    }

    /// Deletes sessions that ended or expired over a day ago; returns how many.
    @discardableResult
    func prune(on executor: some PostgresExecutor) throws -> Int {
        try executor.query(
            "DELETE FROM danvan.console_sessions WHERE expires_at < now() - interval '1 day' OR ended_at < now() - interval '1 day' RETURNING id"
        ).count
    }

    /// 32 random bytes as 43 characters of base64url.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Compares two secrets in time independent of where they differ.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
