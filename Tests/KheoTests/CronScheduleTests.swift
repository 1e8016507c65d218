import Foundation
import Kheo
import Testing

@Suite("Cron schedules")
struct CronScheduleTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let vietnam = TimeZone(identifier: "Asia/Ho_Chi_Minh")!

    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    /// The domain's nightly run: 02:00 in Vietnam is 19:00 UTC the day before.
    @Test func nightlyInVietnamFiresAtNineteenUTCTheDayBefore() throws {
        let schedule = try CronSchedule("0 2 * * *")
        let fire = try #require(schedule.next(after: Self.date("2026-11-23T12:00:00Z"), in: Self.vietnam))
        #expect(fire == Self.date("2026-11-23T19:00:00Z"))
        let after = try #require(schedule.next(after: fire, in: Self.vietnam))
        #expect(after == Self.date("2026-11-24T19:00:00Z"))
        #expect(try CronSchedule("@daily").next(after: Self.date("2026-11-23T12:00:00Z"), in: Self.vietnam) == Self.date("2026-11-23T17:00:00Z"))
    }

    @Test(arguments: [
        ("*/15 * * * *", "2026-01-01T10:07:30Z", "2026-01-01T10:15:00Z"),
        ("*/10 * * * * *", "2026-01-01T10:07:31Z", "2026-01-01T10:07:40Z"),
        ("30 8 * * MON-FRI", "2026-11-21T09:00:00Z", "2026-11-23T08:30:00Z"),
        ("0 0 1 JAN *", "2026-03-01T00:00:00Z", "2027-01-01T00:00:00Z"),
        ("0 0 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z"),
        ("0 12 13 * 5", "2026-11-14T00:00:00Z", "2026-11-20T12:00:00Z"),
        ("0 0 * * 7", "2026-11-23T00:00:00Z", "2026-11-29T00:00:00Z"),
        ("@hourly", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"),
        ("5,10-12 * * * *", "2026-01-01T10:10:00Z", "2026-01-01T10:11:00Z"),
    ])
    func nextFire(expression: String, after: String, expected: String) throws {
        let schedule = try CronSchedule(expression)
        #expect(schedule.next(after: Self.date(after), in: Self.utc) == Self.date(expected))
    }

    @Test func latestFireLooksBackOnce() throws {
        let hourly = try CronSchedule("@hourly")
        #expect(hourly.latest(atOrBefore: Self.date("2026-01-01T10:59:59Z"), in: Self.utc) == Self.date("2026-01-01T10:00:00Z"))
        #expect(hourly.latest(atOrBefore: Self.date("2026-01-01T10:00:00Z"), in: Self.utc) == Self.date("2026-01-01T10:00:00Z"))
        let yearly = try CronSchedule("@yearly")
        #expect(yearly.latest(atOrBefore: Self.date("2026-07-01T00:00:00Z"), in: Self.utc) == Self.date("2026-01-01T00:00:00Z"))
    }

    @Test(arguments: [
        ("* * * *", "4 fields"),
        ("61 * * * *", "minute field \"61\": 61 is outside 0-59"),
        ("* 24 * * *", "hour field"),
        ("*/0 * * * *", "step"),
        ("5-1 * * * *", "runs backwards"),
        ("* * * FOO *", "month field"),
        ("@fortnightly", "unknown shortcut"),
        ("0 0 31 2 *", "never fire"),
        ("1,,2 * * * *", "empty list item"),
    ])
    func invalidExpressionsSayWhatIsWrong(expression: String, fault: String) {
        let error = #expect(throws: CronError.self) { try CronSchedule(expression) }
        #expect(error?.description.contains(fault) == true, "\(String(describing: error))")
    }

    @Test func periodicJobsNameTheEntryAndTheFault() {
        let zone = #expect(throws: PeriodicJobError.self) {
            try PeriodicJob(name: "nightly-statistics", schedule: "0 2 * * *", timeZone: "Asia/Hanoi_Typo", job: JobRequest(kind: "kheo.noop"))
        }
        #expect(zone?.description.contains("periodic job \"nightly-statistics\": unknown time zone \"Asia/Hanoi_Typo\"") == true)
        let cron = #expect(throws: PeriodicJobError.self) {
            try PeriodicJob(name: "scan", schedule: "0 2 * *", job: JobRequest(kind: "kheo.noop"))
        }
        #expect(cron?.description.contains("periodic job \"scan\": invalid cron expression") == true)
        let kind = #expect(throws: PeriodicJobError.self) {
            try PeriodicJob(name: "scan", schedule: "@hourly", job: JobRequest(kind: "bad kind"))
        }
        #expect(kind?.description.contains("invalid job kind") == true)
    }
}
