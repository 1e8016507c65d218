import DanVan
import Foundation
import Kheo
@testable import KheoAPI
import KheoTesting
import PostgresClient
import Testing

/// Signing in, the session cookie, CSRF on every form, and revocation.
@Suite("Console: sessions and forms", .serialized)
struct ConsoleSessionTests {
    /// Every POST of `ConsoleRoutes.all`, by an operator (whom no rule stops): without
    /// the session's CSRF token, with another, or from another origin, nothing changes.
    /// The same form with the right token does change something, so the refusals are
    /// the CSRF check's.
    @Test func aFormWithoutTheRightTokenChangesNothing() async throws {
        try await APIHarness.with { api in
            let fixture = try await ConsoleFixture.seed(api)
            let client = ConsoleClient(base: api.base)
            try await client.signIn(try api.operatorToken())
            let csrf = try await client.sessionCSRF()
            let before = try ConsoleScopeTests.fingerprint(api)
            let fields = try ConsoleScopeTests.fields(fixture, api)
            for route in ConsoleRoutes.all where route.method == .post && route.action != nil {
                let path = try ConsoleScopeTests.path(route, fixture)
                for (label, token, headers) in [
                    ("no token", nil, [:]), ("another token", ConsoleSessions.randomToken(), [:]),
                    ("a foreign origin", csrf, ["Origin": "http://attacker.example"]),
                ] as [(String, String?, [String: String])] {
                    let reply = try await client.post(path, fields, csrf: token, headers: headers)
                    #expect(reply.status == 403, "POST \(path) with \(label) answered \(reply.status)")
                }
            }
            #expect(try ConsoleScopeTests.fingerprint(api) == before, "a form without the right token changed something")
            // The right token, same origin: the notification is marked read.
            let reply = try await client.post(
                "/console/notifications/\(fixture.notification)/read", [], csrf: csrf, headers: ["Origin": api.base.absoluteString]
            )
            #expect(reply.status == 303)
            #expect(try api.count("SELECT count(*) FROM danvan.notifications WHERE id = $1 AND read_at IS NOT NULL", fixture.notification) == 1)
            // Signing out takes the token too.
            let signOut = try await client.post("/console/sign-out", [], csrf: nil)
            #expect(signOut.status == 403)
            #expect(try await client.get("/console/ops").status == 200, "a refused sign-out ended the session")
        }
    }

    /// The sign-in form's own token: a post without the cookie the form set (a form on
    /// another site) signs nobody in.
    @Test func signingInNeedsTheFormsOwnToken() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let token = try api.token(units.communeA, .editor)
            let client = ConsoleClient(base: api.base)
            let refused = try await client.post("/console/sign-in", [("token", token)], csrf: ConsoleSessions.randomToken())
            #expect(refused.status == 403)
            #expect(client.cookies["kheo_session"] == nil)
            #expect(try api.count("SELECT count(*) FROM danvan.console_sessions") == 0)
            let wrong = ConsoleClient(base: api.base)
            let form = try await wrong.get("/console/sign-in")
            let bad = try await wrong.post("/console/sign-in", [("token", "kheo_" + String(repeating: "x", count: 43))], csrf: form.csrf)
            #expect(bad.status == 401)
            #expect(bad.text.contains("không đúng"))
        }
    }

    @Test func theCookieIsHttpOnlyStrictAndSecureBehindTLS() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let token = try api.token(units.communeA, .viewer)
            let client = ConsoleClient(base: api.base)
            let form = try await client.get("/console/sign-in")
            let plain = try await client.post("/console/sign-in", [("token", token)], csrf: form.csrf)
            let cookie = try #require(plain.headers["set-cookie"])
            #expect(cookie.contains("kheo_session="))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(cookie.contains("Path=/console"))
            #expect(cookie.contains("Max-Age=28800"))
            #expect(!cookie.contains("Secure"))
            let behindProxy = ConsoleClient(base: api.base)
            let again = try await behindProxy.send("GET", "/console/sign-in", body: nil, contentType: nil, headers: ["X-Forwarded-Proto": "https"])
            let secure = try await behindProxy.post("/console/sign-in", [("token", token)], csrf: again.csrf, headers: ["X-Forwarded-Proto": "https"])
            #expect(secure.headers["set-cookie"]?.contains("Secure") == true)
            // Every page shows who is signed in: the unit and the role.
            let page = try await client.get("/console/units/\(units.communeA)")
            #expect(page.text.contains("Quyền <strong>xem</strong> của <strong>Mỹ Cẩm</strong>"))
            #expect(page.headers["content-security-policy"]?.contains("frame-ancestors 'none'") == true)
            // An address the console does not have is a page too, not a JSON problem.
            let missing = try await client.get("/console/nothing-here")
            #expect(missing.status == 404)
            #expect(missing.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(missing.text.contains("Không có trang này"))
            // A body over the console's limit (5 MiB of evidence and its framing) is a
            // page saying so, not a 500.
            let csrf = try #require(page.csrf)
            let huge = try await client.post("/console/models/1/evidence", [("file", String(repeating: "x", count: 6 << 20))], csrf: csrf)
            #expect(huge.status == 413, "\(huge.status)")
            #expect(huge.text.contains("Tệp quá lớn"))
        }
    }

    /// Revoking the token ends its sessions at once; signing out ends one, and its
    /// cookie replayed later opens nothing.
    @Test func revocationAndSignOutEndTheSession() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let created = try APITokens().create(unit: units.communeA, role: .editor, on: api.db.pool)
            let client = ConsoleClient(base: api.base)
            try await client.signIn(created.token)
            #expect(try await client.get("/console/inbox").status == 200)
            try APITokens().revoke(prefix: created.prefix, on: api.db.pool)
            let after = try await client.get("/console/inbox")
            #expect(after.status == 303)
            #expect(after.location?.hasPrefix("/console/sign-in") == true)

            let other = ConsoleClient(base: api.base)
            try await other.signIn(try api.token(units.communeB, .viewer))
            let kept = try #require(other.cookies["kheo_session"])
            let csrf = try await other.sessionCSRF()
            #expect(try await other.post("/console/sign-out", [], csrf: csrf).status == 303)
            let replay = ConsoleClient(base: api.base)
            let replayed = try await replay.send("GET", "/console/inbox", body: nil, contentType: nil, headers: ["Cookie": "kheo_session=\(kept)"])
            #expect(replayed.status == 303, "a signed-out session still opened a page")
        }
    }

    /// Forms the console parses by hand: bad encodings are refused, not guessed.
    @Test func formsAreParsedStrictly() throws {
        #expect(try ConsoleForm.urlEncoded("a=1&b=x+y&b=%C3%A1") == ["a": ["1"], "b": ["x y", "á"]])
        #expect(throws: ConsoleError.self) { try ConsoleForm.urlEncoded("a=%ZZ") }
        #expect(throws: ConsoleError.self) { try ConsoleForm.urlEncoded([0x61, 0x3D, 0xFF]) }
        let body = Array("--XYZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nabc\r\n--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--XYZ--\r\n".utf8)
        let form = try ConsoleForm.parse(contentType: "multipart/form-data; boundary=XYZ", body: body)
        #expect(form["_csrf"] == "abc")
        #expect(form.files.first?.fileName == "a.pdf")
        #expect(form.files.first?.bytes == Array("%PDF".utf8))
        #expect(throws: ConsoleError.self) { try ConsoleForm.parse(contentType: "application/json", body: [0x7B, 0x7D]) }
        #expect(SessionPages.safeNext("https://attacker.example/") == "/console/")
        #expect(SessionPages.safeNext("//attacker.example/console/") == "/console/")
        #expect(SessionPages.safeNext("/console/models?unit=3") == "/console/models?unit=3")
        #expect(HTML("<p>\("<script>&\"'")</p>").text == "<p>&lt;script&gt;&amp;&quot;&#39;</p>")
    }
}
