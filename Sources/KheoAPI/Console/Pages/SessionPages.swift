import DanVan
import PostgresClient
import HTTPTypes
import Foundation

/// Signing in and out, the home page, and the console's own files.
enum SessionPages {
    /// `/console/`: the signed-in principal's first page, or the sign-in form.
    static func home(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        guard let session = request.session else { return .redirect("/console/sign-in") }
        return .redirect(session.principal.isOperator ? "/console/ops" : "/console/units")
    }

    static func signInForm(_ request: ConsoleRequest, error: String? = nil) -> ConsoleResponse {
        // Login CSRF: a fresh random value in a cookie and in the form; the POST must
        // bring both, equal. Another site can make the browser post, but cannot read
        // or set this cookie.
        let nonce = ConsoleSessions.randomToken()
        let next = safeNext(request.query("next") ?? request.form["next"])
        var response = ConsoleResponse.page(ConsoleLayout.document(title: "Đăng nhập", body: """
            <header class="top"><p class="brand"><a href="/console/">Kheo · Dân vận khéo</a></p></header>
            <main id="main">
            <h1>Đăng nhập</h1>
            \(HTML.when(request.query("notice") == "signed-out", "<p class=\"notice\" role=\"status\">Đã đăng xuất.</p>"))
            \(HTML.when(error != nil, "<p class=\"error\" role=\"alert\">\(error ?? "")</p>"))
            <form class="stack" method="post" action="/console/sign-in">
              <input type="hidden" name="_csrf" value="\(nonce)">
              <input type="hidden" name="next" value="\(next)">
              <div class="field"><label for="token">Mã truy cập (token)</label>
                <input id="token" name="token" type="password" autocomplete="off" required spellcheck="false" aria-describedby="token-help"></div>
              <p id="token-help" class="muted">Mã do quản trị viên cấp bằng <code>kheo tokens create</code>, bắt đầu bằng <code>kheo_</code>. Phiên làm việc kéo dài 8 giờ.</p>
              <button type="submit">Đăng nhập</button>
            </form>
            </main>
            """), status: error == nil ? .ok : .unauthorized)
        response.headers.append(.init(name: .setCookie, value: ConsoleServer.cookie(ConsoleServer.signInCookie, nonce, secure: request.secureTransport, maxAge: 3600)))
        return response
    }

    static func signIn(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        guard let sent = request.form["_csrf"], let expected = request.cookies[ConsoleServer.signInCookie],
              ConsoleSessions.constantTimeEqual(sent, expected)
        else { throw ConsoleError.csrf }
        try ConsoleServer.checkOrigin(request.origin, host: request.host)
        guard let token = request.form["token"], token.utf8.count <= 100 else {
            return signInForm(request, error: "Nhập mã truy cập.")
        }
        let sessions = request.console.sessions
        guard let created = try await request.run({ pool in try sessions.signIn(token: token, on: pool) }) else {
            return signInForm(request, error: "Mã truy cập không đúng hoặc đã bị thu hồi.")
        }
        var response = ConsoleResponse.redirect(safeNext(request.form["next"]))
        response.headers.append(.init(name: .setCookie, value: ConsoleServer.cookie(
            ConsoleServer.sessionCookie, created.secret, secure: request.secureTransport, maxAge: Int(sessions.lifetime.components.seconds)
        )))
        response.headers.append(.init(name: .setCookie, value: ConsoleServer.cookie(ConsoleServer.signInCookie, "", secure: request.secureTransport, maxAge: 0)))
        return response
    }

    static func signOut(_ request: ConsoleRequest) async throws -> ConsoleResponse {
        var response = ConsoleResponse.redirect("/console/sign-in?notice=signed-out")
        if let session = request.session {
            guard let sent = request.form["_csrf"], ConsoleSessions.constantTimeEqual(sent, session.csrfToken) else { throw ConsoleError.csrf }
            try ConsoleServer.checkOrigin(request.origin, host: request.host)
            let sessions = request.console.sessions
            try await request.run { pool in try sessions.end(session.id, on: pool) }
        }
        response.headers.append(.init(name: .setCookie, value: ConsoleServer.cookie(ConsoleServer.sessionCookie, "", secure: request.secureTransport, maxAge: 0)))
        return response
    }

    /// Where to go after signing in: a console path of ours, never another site.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/console/"), !next.hasPrefix("//"), !next.contains("\\"), !next.contains("/sign-") else { return "/console/" }
        return next
    }
}
