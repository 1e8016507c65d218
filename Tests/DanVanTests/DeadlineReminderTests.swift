import DanVan
import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Testing

@Suite("Deadline reminders")
struct DeadlineReminderTests {
    /// Sets the domain's clock (danvan.now()) to noon, Vietnam time, of `day`.
    func setClock(_ db: TestDatabase, to day: CivilDate) throws {
        try db.pool.query("""
            INSERT INTO danvan.simulated_clock (now) VALUES (($1::date + time '12:00') AT TIME ZONE 'Asia/Ho_Chi_Minh')
            ON CONFLICT (only_row) DO UPDATE SET now = excluded.now
            """, day.iso)
    }

    /// Runs three scans at once, as three nodes firing the same hour would, and waits
    /// until every job they lead to has finished.
    func scanAndDrain(_ db: TestDatabase) throws {
        for _ in 0..<3 { try Producer().enqueue(DeadlineJobs.Scan(), options: EnqueueOptions(queue: "danvan"), on: db.pool) }
        let deadline = ContinuousClock.now + .seconds(30)
        var unfinished: Int64 = -1
        while ContinuousClock.now < deadline {
            unfinished = try db.pool.query("SELECT count(*) FROM kheo.all_jobs WHERE state NOT IN ('completed', 'discarded', 'cancelled')")
                .single().decode(0, as: Int64.self)
            if unfinished == 0 { return }
            // Polls the table: the workers are other processes.
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("\(unfinished) jobs still unfinished after 30 s")
    }

    /// Three `kheo work` processes serving the domain's queue, retrying after 50 ms.
    func withWorkers(_ db: TestDatabase, _ body: () throws -> Void) throws {
        let workers = try (0..<3).map { _ in
            try KheoProcess.start(
                ["work", "--log-level", "warning", "--queue", "\(DanVanJobs.queue)=4", "--retry-base", "0.05", "--poll", "0.2"],
                environment: ["DATABASE_URL": db.url]
            )
        }
        defer {
            for worker in workers { worker.send(SIGTERM) }
            for worker in workers { _ = try? worker.wait(timeout: .seconds(30)) }
        }
        try body()
        for worker in workers { #expect(worker.isRunning, "a worker died: \(worker.output.suffix(2000))") }
    }

    /// Three worker processes, handlers that fail at every third notification they write, and the
    /// clock moved across the offsets: each (deadline, offset) reminder exists once,
    /// closed deadlines get none, each overdue deadline is escalated once.
    @Test func eachReminderAndEscalationHappensOnce() throws {
        try TestDatabase.with(schema: .binary, pool: .init(maximumConnections: 12)) { db in
            let units = UnitDirectory()
            let district = try units.create(.district, named: "Càng Long", under: try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool).id, on: db.pool)
            let commune = try units.create(.commune, named: "Mỹ Cẩm", under: district.id, on: db.pool)
            // Every third notification insert fails, counted by a sequence (which a
            // rollback does not undo), so reminder and escalation jobs fail and retry.
            try db.pool.withConnection { connection in
                try connection.execute(script: """
                    CREATE SEQUENCE danvan.test_inserts;
                    CREATE FUNCTION danvan.test_fail_every_third() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF nextval('danvan.test_inserts') % 3 = 1 THEN
                            RAISE EXCEPTION 'injected failure for %', NEW.dedupe_key;
                        END IF;
                        RETURN NEW;
                    END $$;
                    """)
            }
            let start = try CivilDate(parsing: "01/06/2024")
            let book = DeadlineBook()
            let inTen = try book.create(for: commune.id, kind: .sixMonthReview, title: "Báo cáo sơ kết 6 tháng đầu năm 2024", due: start.adding(days: 10), by: .system, on: db.pool)
            let inThree = try book.create(for: commune.id, kind: .remedy, title: "Khắc phục sau kiểm tra", due: start.adding(days: 3), by: .system, on: db.pool)
            let met = try book.create(for: commune.id, kind: .other, title: "Đã xong", due: start.adding(days: 2), by: .system, on: db.pool)
            let withdrawn = try book.create(for: commune.id, kind: .other, title: "Đã rút", due: start.adding(days: 2), by: .system, on: db.pool)
            let late = try book.create(for: commune.id, kind: .annualSummary, title: "Tổng kết năm 2023", due: start.adding(days: -1), by: .system, on: db.pool)
            _ = try book.meet(met.id, on: start, by: .system, on: db.pool)
            _ = try book.withdraw(withdrawn.id, by: .system, on: db.pool)
            #expect(throws: DeadlineError.notOpen(id: withdrawn.id, status: .withdrawn)) { try book.meet(withdrawn.id, on: start, by: .system, on: db.pool) }
            try db.pool.withConnection { connection in
                // The trigger is attached only now: creating deadlines is not under test.
                try connection.execute(script: "CREATE TRIGGER test_fail_once BEFORE INSERT ON danvan.notifications FOR EACH ROW EXECUTE FUNCTION danvan.test_fail_every_third()")
            }

            try withWorkers(db) {
                for day in [start, start.adding(days: 3), start.adding(days: 9), start.adding(days: 11), start.adding(days: 12)] {
                    try setClock(db, to: day)
                    try scanAndDrain(db)
                }
            }
            let keys = try db.pool.query(
                "SELECT dedupe_key FROM danvan.notifications WHERE kind IN ('deadline.reminder', 'deadline.overdue', 'deadline.escalated')"
            ).map { try $0.decode("dedupe_key", as: String.self) }
            // Each key names its deadline, the offset and the due day it was sent for.
            let (ten, three, lateDue) = (inTen.dueOn.iso, inThree.dueOn.iso, late.dueOn.iso)
            #expect(keys.sorted() == [
                "escalate:\(inTen.id):\(ten)", "escalate:\(late.id):\(lateDue)", "overdue:\(inTen.id):\(ten)", "overdue:\(late.id):\(lateDue)",
                "remind:\(inTen.id):1:\(ten)", "remind:\(inTen.id):7:\(ten)", "remind:\(inThree.id):1:\(three)", "remind:\(inThree.id):7:\(three)",
                "escalate:\(inThree.id):\(three)", "overdue:\(inThree.id):\(three)",
            ].sorted(), "\(keys)")
            #expect(try db.pool.query("SELECT count(*) FROM kheo.all_jobs WHERE kind = 'deadline.remind'").single().decode(0, as: Int64.self) == 4,
                    "one reminder job per (deadline, offset)")
            #expect(try db.pool.query("SELECT count(*) FROM kheo.all_jobs WHERE kind IN ('deadline.remind', 'deadline.escalate') AND attempt >= 2").single().decode(0, as: Int64.self) >= 3,
                    "injected failures made jobs retry")
            #expect(try db.pool.query("SELECT count(*) FROM kheo.all_jobs WHERE state = 'discarded'").single().decode(0, as: Int64.self) == 0)
            let escalated = try db.pool.query("SELECT unit_id FROM danvan.notifications WHERE dedupe_key = $1", "escalate:\(late.id):\(lateDue)").single()
            #expect(try escalated.decode("unit_id", as: Int64.self) == district.id, "escalated to the parent unit")
            #expect(try book.find(late.id, on: db.pool)?.status == .overdue)
            let closedNotices = try db.pool.query(
                "SELECT dedupe_key, unit_id FROM danvan.notifications WHERE deadline_id IN ($1, $2) ORDER BY dedupe_key", met.id, withdrawn.id
            ).map { "\(try $0.decode("dedupe_key", as: String.self))@\(try $0.decode("unit_id", as: Int64.self))" }
            #expect(closedNotices == [
                "assigned:\(met.id)@\(commune.id)", "assigned:\(withdrawn.id)@\(commune.id)",
                "met:\(met.id)@\(district.id)", "withdrawn:\(withdrawn.id)@\(commune.id)",
            ], "met and withdrawn deadlines: their notices, and no reminder")
            #expect(try db.pool.query("SELECT count(*) FROM danvan.notifications WHERE kind = 'deadline.assigned'").single().decode(0, as: Int64.self) == 5,
                    "each new deadline was announced to its unit once")
            let body = try db.pool.query("SELECT body FROM danvan.notifications WHERE dedupe_key = $1", "remind:\(inThree.id):7:\(three)").single().decode("body", as: String.self)
            #expect(body == "Nhắc việc: Khắc phục sau kiểm tra, hạn 04/06/2024 (còn 3 ngày).")
        }
    }

    /// A deadline its issuer moves is reminded and escalated again for the new day,
    /// once each; what was sent for the old day is not sent twice, and the assignee
    /// cannot move it.
    @Test func aMovedDeadlineIsRemindedAndEscalatedForItsNewDay() throws {
        try TestDatabase.with(schema: .domain) { db in
            let units = UnitDirectory()
            let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let commune = try units.create(.commune, named: "Mỹ Cẩm", under: try units.create(.district, named: "Càng Long", under: province.id, on: db.pool).id, on: db.pool)
            let issuer = Principal.unit(province.id, .editor)
            func day(_ text: String) throws -> CivilDate { try CivilDate(parsing: text) }
            func scan(on text: String) throws {
                try db.pool.query(
                    """
                    INSERT INTO danvan.simulated_clock (now) VALUES (($1::date + time '12:00') AT TIME ZONE 'Asia/Ho_Chi_Minh')
                    ON CONFLICT (only_row) DO UPDATE SET now = excluded.now
                    """,
                    try day(text).iso
                )
                try Producer().enqueue(DeadlineJobs.Scan(), options: EnqueueOptions(queue: DanVanJobs.queue), on: db.pool)
                try drainDomainQueue(db, egress: .publicOnly)
            }
            func notices(_ kind: String) throws -> Int {
                Int(try db.pool.query("SELECT count(*) FROM danvan.notifications WHERE kind = $1", kind).single().decode(0, as: Int64.self))
            }
            let book = DeadlineBook()
            let deadline = try book.create(for: commune.id, kind: .sixMonthReview, title: "Báo cáo sơ kết", due: try day("05/06/2025"), by: issuer, on: db.pool)
            try scan(on: "01/06/2025")
            #expect(try notices("deadline.reminder") == 1, "7 days ahead of 05/06")

            #expect(throws: AuthorityError.self, "the assignee does not move its own deadline") {
                try book.move(deadline.id, to: try day("30/06/2025"), by: .unit(commune.id, .admin), on: db.pool)
            }
            let moved = try book.move(deadline.id, to: try day("20/06/2025"), by: issuer, on: db.pool)
            #expect(moved.dueOn == (try day("20/06/2025")) && moved.status == .open)
            #expect(try notices("deadline.moved") == 1)
            try scan(on: "04/06/2025")
            #expect(try notices("deadline.reminder") == 1, "the old day's 1-day reminder is not sent")
            try scan(on: "14/06/2025")
            try scan(on: "19/06/2025")
            #expect(try notices("deadline.reminder") == 3, "7 and 1 days ahead of 20/06")
            try scan(on: "21/06/2025")
            #expect(try book.find(deadline.id, on: db.pool)?.status == .overdue)
            #expect(try notices("deadline.escalated") == 1)

            let again = try book.move(deadline.id, to: try day("30/06/2025"), by: .unit(province.id, .admin), on: db.pool)
            #expect(again.status == .open, "an overdue deadline moved later is open again")
            try scan(on: "01/07/2025")
            try scan(on: "02/07/2025")
            #expect(try notices("deadline.escalated") == 2 && (try notices("deadline.overdue")) == 2, "escalated once more, for the new day")
            _ = try book.meet(deadline.id, on: try day("03/07/2025"), by: .unit(commune.id, .editor), on: db.pool)
            #expect(throws: DeadlineError.notOpen(id: deadline.id, status: .met)) {
                try book.move(deadline.id, to: try day("30/07/2025"), by: issuer, on: db.pool)
            }
        }
    }
}
