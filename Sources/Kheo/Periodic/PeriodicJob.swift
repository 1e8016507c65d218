public import Foundation

/// A job inserted on a schedule: the nightly statistics at 02:00 Vietnam time, an
/// hourly scan of deadlines.
///
/// Declare the same entries on every worker node. Each fire time is inserted once
/// however many nodes run (see `kheo.periodic_jobs`), as a unique job scheduled at the
/// fire time, so a handler reads its fire time from `JobInfo.scheduledAt`.
public struct PeriodicJob: Sendable {
    /// Names the entry across nodes and restarts; keep it when you change the schedule.
    public let name: String
    public let schedule: CronSchedule
    public let timeZone: TimeZone
    /// The job each fire inserts. Its schedule is replaced by the fire time, and it is
    /// made unique per entry and fire time.
    public let job: JobRequest
    /// When a node starts after a fire time nobody inserted (every node was down),
    /// insert the latest missed one, once. Never a backlog of every missed tick.
    public let catchUpMissed: Bool

    /// The domain's time zone, the default.
    public static let vietnam = "Asia/Ho_Chi_Minh"

    /// Refuses an invalid expression or an unknown time zone, naming the entry.
    public init(
        name: String, schedule: String, timeZone: String = PeriodicJob.vietnam, job: JobRequest, catchUpMissed: Bool = true
    ) throws(PeriodicJobError) {
        guard JobValidation.isName(name, allowColon: true) else {
            throw PeriodicJobError(entry: name, fault: "the name must be 1 to 128 letters, digits, and . _ : -")
        }
        do {
            self.schedule = try CronSchedule(schedule)
        } catch {
            throw PeriodicJobError(entry: name, fault: error.description)
        }
        guard let zone = TimeZone(identifier: timeZone) else {
            throw PeriodicJobError(entry: name, fault: "unknown time zone \"\(timeZone)\"; use an IANA name such as Asia/Ho_Chi_Minh")
        }
        do {
            try JobValidation.check(job, argsLimit: Producer.defaultMaxArgsBytes)
        } catch {
            throw PeriodicJobError(entry: name, fault: error.description)
        }
        self.name = name
        self.timeZone = zone
        self.job = job
        self.catchUpMissed = catchUpMissed
    }

    /// The next fire time strictly after `date`.
    public func nextFire(after date: Date) -> Date? { schedule.next(after: date, in: timeZone) }

    /// The job to insert for one fire time.
    func request(firingAt fire: Date) -> JobRequest {
        var request = job
        request.options.schedule = .at(fire)
        let seconds = Int64(fire.timeIntervalSince1970.rounded(.down))
        request.options.unique = UniqueOptions(
            byArgs: nil, alsoWhen: [.completed, .cancelled, .discarded], extra: "periodic:\(name):\(seconds)"
        )
        return request
    }
}

/// A periodic job that cannot run as declared; says which entry and why.
public struct PeriodicJobError: Error, Sendable, Equatable, CustomStringConvertible {
    public let entry: String
    public let fault: String

    public var description: String { "periodic job \"\(entry)\": \(fault)" }
}
