import DanVan
import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Testing

/// Webhooks cannot reach inside: every textual form of an internal address is refused
/// before a byte is sent, and a redirect is not followed.
@Suite("Webhook egress")
struct WebhookEgressTests {
    static let refused = [
        "http://127.0.0.1/hook", "http://127.1/hook", "http://0x7f000001/hook", "http://2130706433/hook", "http://0177.0.0.1/hook",
        "http://127.000.000.001/hook", "http://localhost/hook", "http://0.0.0.0/hook", "http://[::1]/hook", "http://[::]/hook",
        "http://[::ffff:127.0.0.1]/hook", "http://[::ffff:7f00:1]/hook", "http://[0:0:0:0:0:ffff:127.0.0.1]/hook",
        "http://10.1.2.3/hook", "http://172.16.5.4/hook", "http://172.31.255.255/hook", "http://192.168.1.10/hook",
        "http://100.64.0.1/hook", "http://100.100.100.200/latest/meta-data", "http://169.254.169.254/latest/meta-data",
        "http://[fd00:ec2::254]/latest/meta-data", "http://[64:ff9b::a9fe:a9fe]/hook", "http://[::ffff:169.254.169.254]/hook",
        "http://[fe80::1]/hook", "http://[fc00::1]/hook", "http://[fd12:3456::1]/hook", "http://224.0.0.1/hook", "http://[ff02::1]/hook",
        "http://239.255.255.250/hook", "http://255.255.255.255/hook", "http://198.18.0.1/hook",
    ]

    @Test(arguments: refused)
    func internalAddressesAreRefusedInEveryForm(url: String) {
        #expect(throws: WebhookEgress.Refusal.internalAddress) { try WebhookEgress.publicOnly.check(url) }
    }

    @Test func publicAddressesPassAndUserInfoOrOtherSchemesDoNot() throws {
        try WebhookEgress.publicOnly.check("http://93.184.215.14/hook")
        try WebhookEgress.publicOnly.check("https://[2606:4700:4700::1111]:8443/hook?x=1")
        #expect(throws: WebhookEgress.Refusal.userInfo) { try WebhookEgress.publicOnly.check("http://user:pw@93.184.215.14/hook") }
        #expect(throws: WebhookEgress.Refusal.userInfo) { try WebhookEgress.publicOnly.check("http://user@93.184.215.14/hook") }
        #expect(throws: WebhookEgress.Refusal.notHTTP) { try WebhookEgress.publicOnly.check("ftp://93.184.215.14/hook") }
        #expect(throws: WebhookEgress.Refusal.notHTTP) { try WebhookEgress.publicOnly.check("file:///etc/passwd") }
    }

    @Test func anOperatorAllowsNamedHostsAndRangesOnly() throws {
        let egress = try WebhookEgress(allow: ["127.0.0.1/32", " hooks.internal ", "fd00::/8"])
        try egress.check("http://127.0.0.1:8080/hook")
        try egress.check("http://0x7f000001:8080/hook")
        try egress.check("http://[fd00::5]/hook")
        #expect(throws: WebhookEgress.Refusal.internalAddress) { try egress.check("http://127.0.0.2/hook") }
        #expect(throws: WebhookEgress.Refusal.internalAddress) { try egress.check("http://169.254.169.254/") }
        #expect(throws: (any Error).self) { try WebhookEgress(allow: ["10.0.0.0/99"]) }
        #expect(throws: (any Error).self) { try WebhookEgress(allow: ["bad host!"]) }
    }

    /// A unit, its endpoint at `url`, one announced deadline, and a node delivering with
    /// `egress` until the queue is empty.
    func deliver(_ db: TestDatabase, url: String, egress: WebhookEgress) throws {
        let unit: Int64 = try db.pool.query(
            "INSERT INTO danvan.units (kind, name) VALUES ('province', 'Tỉnh ' || (SELECT count(*) + 1 FROM danvan.units)) RETURNING id"
        ).single().decode("id")
        try Webhooks().register(unit: unit, url: url, secret: "0123456789abcdef", on: db.pool)
        _ = try DeadlineBook().create(for: unit, kind: .other, title: "Báo cáo", due: try CivilDate(parsing: "15/06/2025"), by: .system, on: db.pool)
        try drainDomainQueue(db, egress: egress)
    }

    @Test func aReceiverOnLoopbackSeesNothingUnlessAllowed() throws {
        try TestDatabase.with(schema: .domain) { db in
            let receiver = try WebhookReceiver(failures: 0)
            defer { receiver.stop() }
            let port = URL(string: receiver.url)!.port!
            let forms = [
                "http://127.0.0.1:\(port)/hook", "http://127.1:\(port)/hook", "http://0x7f000001:\(port)/hook",
                "http://2130706433:\(port)/hook", "http://localhost:\(port)/hook", "http://[::ffff:127.0.0.1]:\(port)/hook",
            ]
            for url in forms { try deliver(db, url: url, egress: .publicOnly) }
            #expect(receiver.received.isEmpty, "nothing reached the receiver")
            let deliveries = try db.pool.query("SELECT status::text AS status, last_error, last_status FROM danvan.webhook_deliveries")
            #expect(deliveries.count == forms.count)
            for row in deliveries {
                #expect(try row.decode("status", as: String.self) == "refused")
                #expect(try row.decode("last_error", as: String.self) == WebhookEgress.Refusal.internalAddress.description)
                #expect(try row.decode("last_status", as: Int32?.self) == nil)
            }
            #expect(try count(db, "SELECT count(*) FROM kheo.all_jobs WHERE kind = 'notification.deliver' AND state = 'discarded' AND attempt = 1") == forms.count,
                    "refused at once, not retried")

            try deliver(db, url: "http://127.0.0.1:\(port)/hook", egress: try WebhookEgress(allow: ["127.0.0.1/32"]))
            #expect(receiver.received.count == 1, "allowed by the operator, it arrives")
        }
    }

    @Test func aRedirectIsNotFollowed() throws {
        try TestDatabase.with(schema: .domain) { db in
            let target = try WebhookReceiver(failures: 0)
            defer { target.stop() }
            let redirecting = try WebhookReceiver(failures: 0, redirectTo: target.url)
            defer { redirecting.stop() }
            try deliver(db, url: redirecting.url, egress: try WebhookEgress(allow: ["127.0.0.1/32"]))
            #expect(redirecting.received.count == 1, "asked once")
            #expect(target.received.isEmpty, "the 307 was not followed, so the signed body went nowhere else")
            let delivery = try db.pool.query("SELECT status::text AS status, last_error FROM danvan.webhook_deliveries").single()
            #expect(try delivery.decode("status", as: String.self) == "refused")
            #expect(try delivery.decode("last_error", as: String.self).hasPrefix("refused: the endpoint redirected"))
        }
    }

    func count(_ db: TestDatabase, _ sql: String) throws -> Int {
        Int(try db.pool.query(sql).single().decode(0, as: Int64.self))
    }
}
