import DanVan
import Foundation
import Kheo
@testable import KheoAPI
import KheoTesting
import PostgresClient
import Testing

/// Every console route, driven from `ConsoleRoutes.all`, with principals of another
/// unit: none gets anything of commune A (no page, no name, no change), while commune
/// A's own admin and an operator reach every page. A route added to the list is
/// covered here without touching this test; one with a parameter the fixture does not
/// know fails it.
@Suite("Console: who sees and changes what", .serialized)
struct ConsoleScopeTests {
    /// The routes anyone may load: the way in and the console's own files.
    static let publicRoutes: Set<String> = [
        "GET /console/", "GET /console/sign-in", "POST /console/sign-in", "POST /console/sign-out",
        "GET /console/assets/console.css", "GET /console/assets/console.js",
    ]

    @Test func everyRouteNamesAnActionOrIsPublic() {
        for route in ConsoleRoutes.all where route.action == nil {
            #expect(Self.publicRoutes.contains("\(route.method.rawValue) \(route.path)"), "\(route.path) performs no Action: name one")
        }
        // Every route is registered once.
        let keys = ConsoleRoutes.all.map { "\($0.method.rawValue) \($0.path)" }
        #expect(Set(keys).count == keys.count)
    }

    @Test func anotherUnitGetsNothingOfCommuneA() async throws {
        try await APIHarness.with { api in
            let fixture = try await ConsoleFixture.seed(api)
            let before = try Self.fingerprint(api)
            let secrets = ["Xã Mỹ Cẩm", fixture.modelTitle, "Chi hội Nông dân", "bien-ban.pdf", "Báo cáo sơ kết 6 tháng"]
            for role in [Principal.Role.viewer, .editor, .admin] {
                let client = ConsoleClient(base: api.base)
                try await client.signIn(try api.token(fixture.units.communeB, role))
                let csrf = try await client.sessionCSRF()
                for route in ConsoleRoutes.all where route.action != nil {
                    let path = try Self.path(route, fixture)
                    var reply = route.method == .get
                        ? try await client.get(path)
                        : try await client.post(path, try Self.fields(fixture, api), csrf: csrf)
                    // A browser follows a redirect within the console; so does this.
                    if reply.status == 303, let location = reply.location, location.hasPrefix("/console/"), !location.hasPrefix("/console/sign-in") {
                        reply = try await client.get(location)
                    }
                    let what = "\(role.rawValue) of commune B: \(route.method.rawValue) \(path)"
                    #expect([403, 404].contains(reply.status), "\(what) answered \(reply.status)")
                    for secret in secrets {
                        #expect(!reply.text.contains(secret), "\(what) shows \"\(secret)\"")
                    }
                }
            }
            #expect(try Self.fingerprint(api) == before, "a refused request changed something")
        }
    }

    /// The control: the same paths work for whom they belong to (the district above
    /// commune A, which also issued the inspection plan), so a refusal above is the
    /// rule's and not a broken path.
    @Test func theUnitAboveAndOperatorsReachEveryPage() async throws {
        try await APIHarness.with { api in
            let fixture = try await ConsoleFixture.seed(api)
            let own = ConsoleClient(base: api.base)
            try await own.signIn(try api.token(fixture.units.district, .admin))
            let operatorClient = ConsoleClient(base: api.base)
            try await operatorClient.signIn(try api.operatorToken())
            for route in ConsoleRoutes.all where route.action != nil && route.method == .get {
                let path = try Self.path(route, fixture)
                let client = route.action?.rule.relation == .operatorOnly ? operatorClient : own
                let reply = try await client.get(path)
                // `/console/units` sends a unit's official on to its own unit's page.
                let reached = reply.status == 200 || (reply.status == 303 && route.path == "/console/units" && reply.location?.hasPrefix("/console/units/") == true)
                #expect(reached, "GET \(path) answered \(reply.status): \(reply.text.prefix(300))")
            }
        }
    }

    /// The route's path with commune A's records, and `?unit=` for pages about a unit.
    static func path(_ route: ConsoleRoute, _ fixture: ConsoleFixture) throws -> String {
        var path = route.path
        for name in route.parameters {
            let value = try #require(fixture.parameters[name], "ConsoleFixture has no record for {\(name)} of \(route.path): add one")
            path = path.replacingOccurrences(of: "{\(name)}", with: value)
        }
        var query = "unit=\(fixture.units.communeA)"
        if route.path.hasPrefix("/console/ops/jobs") { query += "&state=discarded" }
        if route.path.hasSuffix("/download") { query += "&format=csv" }
        return path + "?" + query
    }

    /// A form that every POST route would act on, all about commune A's records.
    static func fields(_ fixture: ConsoleFixture, _ api: APIHarness) throws -> [(String, String)] {
        let today = try CivilDate.today(on: api.db.pool).description
        return [
            ("unit", "\(fixture.units.communeA)"), ("campaign", "\(fixture.campaign)"), ("field", "economy"), ("holder", "collective"),
            ("holderName", "Tổ hợp tác"), ("title", "Mô hình mới"), ("day", today), ("to", "implementing"), ("note", "ghi chú"),
            ("findings", "Đạt yêu cầu"), ("recommendations", ""), ("period", "\(fixture.period)"), ("do", "retry"), ("state", "discarded"),
            ("targets", "\(fixture.units.communeA)"), ("firstDay", today), ("lastDay", today), ("delegation", "Đoàn"), ("leader", "Ông A"),
            ("members", "Ông A"), ("queue", "console-test"), ("kind", "review_report"), ("part.causes", "Sửa bởi người khác"),
            ("part.signer", "Người khác"), ("confirm", "yes"),
        ]
    }

    /// What a refused request must not change.
    static func fingerprint(_ api: APIHarness) throws -> [Int] {
        try [
            "SELECT count(*) FROM danvan.models", "SELECT count(*) FROM danvan.model_transitions", "SELECT count(*) FROM danvan.model_evidence",
            "SELECT count(*) FROM danvan.notifications WHERE read_at IS NOT NULL", "SELECT count(*) FROM danvan.inspection_plans",
            "SELECT count(*) FROM danvan.inspection_visits WHERE done_at IS NOT NULL", "SELECT count(*) FROM kheo.all_jobs",
            "SELECT count(*) FROM kheo.all_jobs WHERE state = 'discarded'", "SELECT count(*) FROM kheo.queues WHERE paused_at IS NOT NULL",
            "SELECT count(*) FROM danvan.reports", "SELECT count(*) FROM danvan.documents",
            "SELECT count(*) FROM danvan.documents WHERE status = 'issued' OR updated_at > created_at",
        ].map { try api.count($0) }
    }
}
