import DanVan
import Foundation
import HTTPTypes
import Hummingbird

/// Checks the bearer token of every `/v1` request (and `/metrics`) from its headers,
/// before anything reads its body, and makes its principal available to the handlers
/// (`Principal.current`) for the rest of the request. Tokens seen lately
/// are answered from `TokenCache`, which forgets them the moment any token changes.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let database: BlockingDatabase
    let cache: TokenCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/v1/") || path == "/v1" || path == "/metrics" else { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw Problem(.unauthorized, "send a token from `kheo tokens create` as: Authorization: Bearer kheo_…")
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        let (cached, generation) = cache.lookup(token)
        let principal: Principal
        if let cached {
            principal = cached
        } else {
            guard let found = try await database.run({ pool in try APITokens().authenticate(token, on: pool) }) else {
                throw Problem(.unauthorized, "the token is unknown or revoked")
            }
            cache.store(token, found, generation: generation)
            principal = found
        }
        return try await Principal.$current.withValue(principal) { try await next(request, context) }
    }
}

extension Principal {
    /// The caller of the request being handled, set by `AuthMiddleware`.
    @TaskLocal static var current: Principal?

    /// The caller, who must hold the role `action` needs (`Authority` checks the
    /// rest against the record, once the handler has found it).
    static func require(_ action: Action) throws -> Principal {
        guard let principal = current else { throw Problem(.unauthorized, "no token") }
        let needed = action.rule.role
        guard principal.role >= needed else { throw Problem(.forbidden, AuthorityError.roleTooLow(needed: needed, held: principal.role).description) }
        return principal
    }

    /// The unit a request about "my unit" means: the token's own. An operator acts for
    /// no unit, so it must name one.
    func defaultUnit(_ given: Int64?, parameter: String = "unit") throws -> Int64 {
        if let given { return given }
        guard let unitID else { throw Problem(.badRequest, "an operator token acts for no unit: name one with ?\(parameter)=ID") }
        return unitID
    }
}
