import DanVan
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PostgresClient

/// The web console, served by `kheo serve` beside the API under `/console`. Each
/// request of `ConsoleRoutes.all` passes, in order:
/// 1. its session, from the `kheo_session` cookie (`ConsoleSessions.find`: revoked
///    tokens and ended sessions are refused in the same statement);
/// 2. for a POST, the CSRF check: the form's `_csrf` must equal the session's token,
///    and an `Origin` header, when the browser sends one, must be this host;
/// 3. the role its `Action` needs (the same `Action.rule` the API checks);
/// 4. its handler, which asks `Authority` about the record it found.
/// Refusals become pages in Vietnamese with the right status; a record outside the
/// caller's subtree reads as not found.
final class ConsoleServer: Sendable {
    static let sessionCookie = "kheo_session"
    /// The sign-in form's own CSRF token (double submit: cookie and field), before any
    /// session exists.
    static let signInCookie = "kheo_signin"

    let database: BlockingDatabase
    let sessions: ConsoleSessions
    let throughput: ThroughputCache
    /// Send cookies with `Secure` even without `X-Forwarded-Proto: https`.
    let alwaysSecure: Bool
    let logger: Logger

    init(database: BlockingDatabase, sessions: ConsoleSessions = ConsoleSessions(), throughput: ThroughputCache, alwaysSecure: Bool, logger: Logger) {
        self.database = database
        self.sessions = sessions
        self.throughput = throughput
        self.alwaysSecure = alwaysSecure
        self.logger = logger
    }

    func register(on router: Router<BasicRequestContext>) {
        for route in ConsoleRoutes.all {
            router.on(RouterPath(route.routerPath), method: HTTPRequest.Method(rawValue: route.method.rawValue)!) { [self] request, context in
                try await self.serve(route, request, context)
            }
        }
    }

    private func serve(_ route: ConsoleRoute, _ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        var response: ConsoleResponse
        do {
            response = try await handle(route, request, context)
        } catch let error as ConsoleError {
            response = errorPage(error, request)
        } catch let refusal as AuthorityError {
            response = errorPage(.from(refusal), request)
        } catch let error as HTTPError {
            // The body over the console's limit, or one that did not arrive.
            response = .page(ConsoleLayout.error(
                title: error.status == .contentTooLarge ? "Tệp quá lớn" : "Yêu cầu không hợp lệ",
                detail: error.status == .contentTooLarge ? "Biểu mẫu và tệp đính kèm tối đa 5 MiB." : error.status.reasonPhrase, session: nil
            ), status: error.status)
        } catch {
            if let problem = DomainProblem.from(error) {
                response = errorPage(problem.status == 404 ? .notFound : .refused(problem.detail ?? problem.title), request)
            } else {
                logger.error("console page failed", metadata: ["path": "\(route.path)", "error": "\(APIHandlers.brief(error))"])
                response = .page(ConsoleLayout.error(title: "Lỗi hệ thống", detail: "Máy chủ gặp lỗi; đã ghi nhật ký. Thử lại sau ít phút.", session: nil), status: .internalServerError)
            }
        }
        Self.secure(&response.headers)
        logger.debug("console", metadata: [
            "method": "\(route.method.rawValue)", "route": "\(route.path)", "status": "\(response.status.code)",
            "ms": "\((ContinuousClock.now - started) / .milliseconds(1))",
        ])
        return Response(status: response.status, headers: response.headers, body: .init(byteBuffer: ByteBuffer(bytes: response.body)))
    }

    private func handle(_ route: ConsoleRoute, _ request: Request, _ context: BasicRequestContext) async throws -> ConsoleResponse {
        var request = request
        if let length = request.headers[.contentLength].flatMap(Int.init), length > ConsoleRoutes.maxBody { throw HTTPError(.contentTooLarge) }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: ConsoleRoutes.maxBody)
        } catch is NIOTooManyBytesError {
            throw HTTPError(.contentTooLarge)
        }
        let form = try ConsoleForm.parse(contentType: request.headers[.contentType], body: Array(buffer: body))
        let query = try ConsoleForm.urlEncoded(request.uri.query ?? "")
        var parameters: [String: String] = [:]
        for name in route.parameters { parameters[name] = context.parameters.get(name) }
        var session: ConsoleSessions.Session?
        if let secret = request.cookies[Self.sessionCookie]?.value {
            let sessions = self.sessions
            session = try await database.run { pool in try sessions.find(secret: secret, on: pool) }
        }
        if let action = route.action {
            guard let session else {
                if route.method == .get { return .redirect("/console/sign-in?next=" + Self.percentEncode(request.uri.path)) }
                throw ConsoleError.signInRequired
            }
            if route.method == .post { try Self.checkCSRF(form: form, expected: session.csrfToken, request: request) }
            let needed = action.rule.role
            guard session.principal.role >= needed else {
                // Operator pages do not exist for a unit's token, as far as it can tell.
                if action.rule.relation == .operatorOnly { throw ConsoleError.notFound }
                throw ConsoleError.from(.roleTooLow(needed: needed, held: session.principal.role))
            }
        }
        let consoleRequest = ConsoleRequest(
            path: request.uri.path, parameters: parameters, query: query, form: form, session: session, database: database,
            console: self, cookies: [Self.signInCookie: request.cookies[Self.signInCookie]?.value].compactMapValues { $0 },
            secureTransport: alwaysSecure || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https",
            origin: request.headers[.origin], host: request.head.authority
        )
        return try await route.handler(consoleRequest)
    }

    /// The CSRF rule of every form: the session's token in `_csrf`, and no foreign
    /// `Origin`.
    static func checkCSRF(form: ConsoleForm, expected: String, request: Request) throws(ConsoleError) {
        guard let sent = form.fields["_csrf"]?.first, ConsoleSessions.constantTimeEqual(sent, expected) else { throw .csrf }
        try checkOrigin(request.headers[.origin], host: request.head.authority)
    }

    /// A browser names the page a form came from in `Origin`; one from another site
    /// is refused even with a token.
    static func checkOrigin(_ origin: String?, host: String?) throws(ConsoleError) {
        guard let origin else { return }
        guard let url = URL(string: origin), let originHost = url.host else { throw .csrf }
        let originAuthority = url.port.map { "\(originHost):\($0)" } ?? originHost
        guard originAuthority.lowercased() == (host ?? "").lowercased() else { throw .csrf }
    }

    /// A `Set-Cookie` value: HttpOnly, SameSite=Strict, scoped to the console, Secure
    /// behind TLS.
    static func cookie(_ name: String, _ value: String, secure: Bool, maxAge: Int) -> String {
        "\(name)=\(value); Path=/console; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    private func errorPage(_ error: ConsoleError, _ request: Request) -> ConsoleResponse {
        if error == .signInRequired, request.method == .get {
            return .redirect("/console/sign-in?next=" + Self.percentEncode(request.uri.path))
        }
        return .page(ConsoleLayout.error(title: error.title, detail: error.detail, session: nil), status: error.status)
    }

    /// The page for a console address the router does not know.
    static func missingPage(_ status: HTTPResponse.Status) -> Response {
        let notFound = status == .notFound
        var page = ConsoleResponse.page(ConsoleLayout.error(
            title: notFound ? "Không có trang này" : "Yêu cầu không hợp lệ",
            detail: notFound ? "Địa chỉ này không có trong hệ thống. Về trang chính để chọn chức năng." : status.reasonPhrase, session: nil
        ), status: status)
        secure(&page.headers)
        return Response(status: page.status, headers: page.headers, body: .init(byteBuffer: ByteBuffer(bytes: page.body)))
    }

    /// Headers every console response carries: no caching of pages with a person's
    /// data, no framing, scripts and styles from this server only.
    static func secure(_ headers: inout HTTPFields) {
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
        headers[.contentSecurityPolicy] =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
    }

    static func percentEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~/"))) ?? ""
    }
}
