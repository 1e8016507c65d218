import DanVan
import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Testing

@Suite("Webhooks", .serialized)
struct WebhookTests {
    static let secret = "bí mật của xã Mỹ Cẩm 2024"

    /// A commune with a webhook, a deadline 3 days off, and one scan: the reminder is
    /// POSTed until the endpoint accepts it.
    func remindAndDeliver(_ db: TestDatabase, receiver: WebhookReceiver) throws -> Int64 {
        let units = UnitDirectory()
        let district = try units.create(.district, named: "Càng Long", under: try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool).id, on: db.pool)
        let commune = try units.create(.commune, named: "Mỹ Cẩm", under: district.id, on: db.pool)
        try Webhooks().register(unit: commune.id, url: receiver.url, secret: Self.secret, on: db.pool)
        let today = try CivilDate(parsing: "01/06/2024")
        // Not announced: the receiver's count is then the reminder's deliveries alone.
        let deadline = try DeadlineBook().create(
            for: commune.id, kind: .remedy, title: "Khắc phục sau kiểm tra", due: today.adding(days: 3), by: .system, announce: false, on: db.pool
        )
        try db.pool.query(
            "INSERT INTO danvan.simulated_clock (now) VALUES (($1::date + time '12:00') AT TIME ZONE 'Asia/Ho_Chi_Minh')", today.iso
        )
        try Producer().enqueue(DeadlineJobs.Scan(), options: EnqueueOptions(queue: DanVanJobs.queue), on: db.pool)
        // The receiver listens on loopback, which only an operator's allow-list opens.
        try drainDomainQueue(db, egress: try WebhookEgress(allow: ["127.0.0.1/32"]))
        return deadline.id
    }

    /// The HMAC-SHA256 of `body` under the secret, by openssl: an implementation other
    /// than the one that signed it.
    static func opensslSignature(_ body: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["dgst", "-sha256", "-hmac", secret, "-r"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(body.utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return "sha256=" + (text.split(separator: " ").first.map(String.init) ?? "")
    }

    @Test func aFailingEndpointGetsTheNotificationOnceItRecovers() throws {
        try TestDatabase.with(schema: .domain) { db in
            let receiver = try WebhookReceiver(failures: 2)
            defer { receiver.stop() }
            let deadline = try remindAndDeliver(db, receiver: receiver)
            let received = receiver.received
            #expect(received.count == 3, "two refused, the third accepted")
            let last = try #require(received.last)
            #expect(last.headers["x-kheo-signature"] == (try Self.opensslSignature(last.body)), "the signature checks out")
            let payload = try JSONSerialization.jsonObject(with: Data(last.body.utf8)) as? [String: Any]
            #expect(payload?["kind"] as? String == "deadline.reminder")
            #expect(payload?["deadline_id"] as? Int64 == deadline || payload?["deadline_id"] as? Int == Int(deadline))
            #expect((payload?["body"] as? String)?.contains("Khắc phục sau kiểm tra") == true)
            let delivery = try db.pool.query("SELECT status::text AS status, attempts FROM danvan.webhook_deliveries").single()
            #expect(try delivery.decode("status", as: String.self) == "delivered")
            #expect(try delivery.decode("attempts", as: Int32.self) == 3)
        }
    }

    @Test func anEndpointThatNeverRecoversEndsGivenUp() throws {
        try TestDatabase.with(schema: .domain) { db in
            let receiver = try WebhookReceiver(failures: .max)
            defer { receiver.stop() }
            _ = try remindAndDeliver(db, receiver: receiver)
            #expect(receiver.received.count == WebhookJobs.maxAttempts)
            let delivery = try db.pool.query("SELECT status::text AS status, attempts, last_error FROM danvan.webhook_deliveries").single()
            #expect(try delivery.decode("status", as: String.self) == "given_up")
            #expect(try delivery.decode("attempts", as: Int32.self) == Int32(WebhookJobs.maxAttempts))
            #expect(try delivery.decode("last_error", as: String.self) == "failed", "the unit learns nothing of what answered")
            let jobError = try db.pool.query("SELECT errors::text AS errors FROM kheo.all_jobs WHERE kind = 'notification.deliver'").single()
            #expect(try jobError.decode("errors", as: String.self).contains("the endpoint answered 500"), "the operators' record keeps it")
            #expect(try db.pool.query("SELECT count(*) FROM kheo.all_jobs WHERE kind = 'notification.deliver' AND state = 'discarded'").single().decode(0, as: Int64.self) == 1)
            #expect(try db.pool.query("SELECT count(*) FROM danvan.notifications").single().decode(0, as: Int64.self) == 1, "the inbox has it all the same")
        }
    }
}
