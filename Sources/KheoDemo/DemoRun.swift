import DanVan
package import Foundation
import KheoCLIKit
import Kheo
package import PostgresClient

/// Runs the demo's year: each simulated day, the domain clock (`danvan.simulated_clock`)
/// is set to 02:00 for the nightly statistics, then to 08:00 for the units' work of the
/// day and the deadline scan; the worker processes run every job that follows, and
/// the day ends when the `danvan` queue has nothing left to run now. The driver stands
/// in for the cron: the periodic entries in the workers fire on real time.
package struct DemoRun {
    package struct Settings {
        package var seed: UInt64
        package var year: Int
        package var districts: Int
        /// Simulated days per real second at most; nil runs as fast as the workers go.
        package var speed: Double?
        package var workers: Int

        package init(seed: UInt64, year: Int, districts: Int, speed: Double?, workers: Int) {
            self.seed = seed
            self.year = year
            self.districts = districts
            self.speed = speed
            self.workers = workers
        }
    }

    let settings: Settings
    let connection: PostgresConnection
    let pool: PostgresConnectionPool
    let url: String

    package init(settings: Settings, connection: PostgresConnection, pool: PostgresConnectionPool, url: String) {
        self.settings = settings
        self.connection = connection
        self.pool = pool
        self.url = url
    }

    package struct Outcome {
        /// The province as the year ended (on the two-tier tree after a reorganisation).
        var province: DemoProvince
        /// The province with its districts, when the year saw the reorganisation.
        var before: DemoProvince?
        var reorganisation: DemoReorganisation.Outcome?
        var periods: [DemoYear.DemoPeriod: Int64]
        package var refusals: [String: Int]
        package var rejectedPlans: [(title: String, reason: String)]
        package var elapsed: Duration
        /// Of `elapsed`, the time the documents took: drafting and issuing.
        package var documentsElapsed: Duration
    }

    package func run() throws -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        var random = SeededGenerator(seed: settings.seed)
        try connection.query("SET synchronous_commit = off")

        // The province, its campaign, registration windows and periods.
        let reform = DemoReorganisation.day
        let created = try connection.transaction { connection in
            let province = try DemoProvince.create(districts: settings.districts, random: &random, in: connection)
            let (campaign, periods) = try setUp(province: province, in: connection)
            return (province, campaign, periods)
        }
        var province = created.0
        let (campaign, periods) = (created.1, created.2)
        print("Province:   \(province.unit.name): \(province.districts.count) districts, \(province.allCommunes.count) communes and wards, \(province.unitCount) units in all (seed \(settings.seed))")
        var reorganisation: DemoReorganisation.Outcome?
        var before: DemoProvince?
        /// Runs the reorganisation of 01/07/2025 and prints what it did.
        func reorganise() throws {
            before = province
            let done = try connection.transaction { connection in try DemoReorganisation.run(province, random: &random, in: connection) }
            province = done.province
            reorganisation = done
            print("Reorganised on \(reform): \(done.merged) communes merged and \(done.moved) moved into \(province.communes.count) directly under the province; \(done.dissolved) district units dissolved")
        }
        // A year after 2025 runs on the two-tier tree from its first day.
        if try CivilDate(year: settings.year, month: 1, day: 1) > reform { try reorganise() }
        let firstYearDay = try CivilDate(year: settings.year, month: 1, day: 1)
        let reformInYear = firstYearDay < reform && reform.year == settings.year
        var script = try DemoYear(
            year: settings.year, province: province, campaign: campaign, until: reformInYear ? reform.adding(days: -1) : nil, random: &random
        )
        print("Script:     \(script.registrations) model registrations, \(script.events.values.reduce(0) { $0 + $1.count }) events from 01/01 to 31/12/\(settings.year)")

        let workers = try (0..<settings.workers).map { _ in
            try WorkerProcess.start(queue: DanVanJobs.queue, concurrency: 4, url: url, untilEmpty: false)
        }
        defer { for worker in workers { worker.stop() } }
        print("Workers:    \(settings.workers) kheo work processes × 4 slots on queue \(DanVanJobs.queue) (fair by unit), beside \(DanVanJobs.reportQueue) (2 at a time per unit) and \(DanVanJobs.webhookQueue); the clock runs \(settings.speed.map { "at most \(Self.number($0)) days a second" } ?? "as fast as they finish each day")")
        print("")
        print("  month     models  steps  activities  visits done  reminders  overdue  met  late   jobs   elapsed")

        let documents = DemoDocuments(connection: connection, seed: settings.seed)
        var documentsElapsed = Duration.zero
        var models: [Int: Int64] = [:]
        var registrants: [Int: Int64] = [:]
        var refusals: [String: Int] = [:]
        var day = script.first
        let end = script.last.adding(days: 1)
        while day <= end {
            let dayStart = clock.now
            if reformInYear, day == reform {
                try reorganise()
                try script.add(province: province, campaign: campaign, days: reform...script.last, random: &random)
            }
            // A month's records arrive faster than autovacuum looks at a new database
            // (once a minute): refresh the planner's picture of the tables the year
            // fills, and of the campaign and periods set up before it, as after any
            // bulk load, so no query runs on the plan for an empty table (28 ms each
            // month on the demo's database).
            if day.day == 1 { try connection.query("ANALYZE \(Self.analysedTables.joined(separator: ", "))") }
            /// Where a unit's work goes today: itself, or the unit that succeeded it.
            let current = { (unit: Int64) in reorganisation?.current(unit) ?? unit }
            // 02:00: the nightly statistics.
            try setClock(day, hour: 2)
            try Producer().enqueue(StatisticsJobs.Regenerate(), options: EnqueueOptions(queue: DanVanJobs.queue), on: connection)
            try waitForQuiet(workers)
            // 08:00: the units' day, then the deadline scan and whatever it sets off.
            try setClock(day, hour: 8)
            var reports: [DemoYear.DemoPeriod] = []
            var reportUnits: [(unit: Int64, period: Int64)] = []
            var plans: [(InspectionPlan, String)] = []
            try connection.transaction { connection in
                for event in script.events(on: day) {
                    switch event {
                    case .register(let index, let registration):
                        do {
                            // Each unit acts for itself; the province, which runs the
                            // campaign, judges the models.
                            models[index] = try ModelRegistry().register(
                                registration, by: .unit(registration.unitID, .editor), in: connection
                            ).id
                            registrants[index] = registration.unitID
                        } catch let error as ModelError {
                            refusals[Self.refusalKind(error), default: 0] += 1
                        }
                    case .step(let index, let state):
                        guard let id = models[index] else { continue }
                        let actor: Principal = Action.modelTransition(to: state) == .evaluateModel
                            ? .unit(province.unit.id, .editor) : .unit(current(registrants[index, default: province.unit.id]), .editor)
                        _ = try ModelRegistry().transition(id, to: state, on: day, by: actor, in: connection)
                    case .activity(let kind, let unit, let title, let sessions, let attendees):
                        try ActivityLog().record(kind, by: unit, title: title, on: day, sessions: sessions, attendees: attendees, on: connection)
                    case .deadline(let unit, let kind, let title, let due):
                        _ = try DeadlineBook().create(for: unit, kind: kind, title: title, due: due, by: .unit(province.unit.id, .editor), in: connection)
                    case .plan(let plan, let title):
                        plans.append((plan, title))
                    case .reports(let period):
                        reports.append(period)
                    }
                }
                if !day.isWeekend {
                    try meetDeadlines(on: day, by: current, in: connection)
                    try reportVisits(on: day, by: current, in: connection)
                }
                for period in reports {
                    guard let periodID = periods[period] else { continue }
                    // The province's report and those of the territorial units under it
                    // on the period's last day: the districts for the first half of
                    // 2025, the communes for the year after the reorganisation.
                    let units: [Int64] = try connection.query(
                        """
                        SELECT id FROM danvan.units WHERE id = $1 OR (kind IN ('district', 'commune') AND id IN (
                            SELECT danvan.unit_children_on($1, (SELECT ends_on FROM danvan.periods WHERE id = $2))))
                        ORDER BY path
                        """,
                        province.unit.id, periodID
                    ).map { try $0.decode("id") }
                    for unit in units {
                        try Producer().enqueue(ReportJobs.Generate(unitID: unit, periodID: periodID), options: EnqueueOptions(queue: DanVanJobs.reportQueue), on: connection)
                        reportUnits.append((unit, periodID))
                    }
                }
                try Producer().enqueue(DeadlineJobs.Scan(), options: EnqueueOptions(queue: DanVanJobs.queue), on: connection)
            }
            for (plan, title) in plans {
                _ = try InspectionPlans().submit(plan, title: title, on: pool)
            }
            try waitForQuiet(workers)
            // The day's documents: drafted by the workers, then issued.
            let documentsStart = clock.now
            if try documents.enqueueDrafts(reports: reportUnits) > 0 {
                try waitForQuiet(workers)
                try documents.issueDrafts(by: current)
            }
            documentsElapsed += documentsStart.duration(to: clock.now)

            if day.adding(days: 1).month != day.month, day <= script.last {
                try printProgress(month: day, since: start)
            }
            if let speed = settings.speed {
                let minimum = Duration.seconds(1 / speed)
                let spent = dayStart.duration(to: clock.now)
                if spent < minimum { Thread.sleep(forTimeInterval: (minimum - spent).inSeconds) }
            }
            day = day.adding(days: 1)
        }
        let rejected = try connection.query(
            "SELECT title, rejection FROM danvan.inspection_plans WHERE status = 'rejected' ORDER BY id"
        ).map { (title: try $0.decode("title", as: String.self), reason: try $0.decode("rejection", as: String.self)) }
        return Outcome(
            province: province, before: before, reorganisation: reorganisation, periods: periods, refusals: refusals, rejectedPlans: rejected,
            elapsed: start.duration(to: clock.now), documentsElapsed: documentsElapsed
        )
    }

    /// The campaign the province runs, its registration windows and quotas, and the
    /// periods the statistics and reports cover.
    private func setUp(province: DemoProvince, in connection: PostgresConnection) throws -> (Int64, [DemoYear.DemoPeriod: Int64]) {
        let year = settings.year
        let registry = ModelRegistry()
        let campaign = try registry.createCampaign(
            named: "Phong trào thi đua “Dân vận khéo” năm \(year)", unit: province.unit.id,
            from: try CivilDate(year: year, month: 1, day: 1), to: try CivilDate(year: year, month: 12, day: 31), on: connection
        )
        let quotas: [(OrgUnit.Kind, Int, Int)] = [
            (.district, 3, 2), (.commune, 8, 5), (.hamlet, 2, 1), (.partyCommittee, 2, 1), (.fatherlandFront, 2, 1),
            (.massOrganisation, 2, 1), (.police, 2, 1), (.agency, 2, 1),
        ]
        for (kind, collective, individual) in quotas {
            try registry.setWindow(
                campaign: campaign, unitKind: kind, opens: try CivilDate(year: year, month: 1, day: 15),
                closes: try CivilDate(year: year, month: 3, day: 31), collectiveQuota: collective, individualQuota: individual, on: connection
            )
        }
        var periods: [DemoYear.DemoPeriod: Int64] = [:]
        for (period, kind, name, first, last) in [
            (DemoYear.DemoPeriod.firstHalf, "six_month", "6 tháng đầu năm \(year)", "\(year)-01-01", "\(year)-06-30"),
            (.secondHalf, "six_month", "6 tháng cuối năm \(year)", "\(year)-07-01", "\(year)-12-31"),
            (.year, "year", "năm \(year)", "\(year)-01-01", "\(year)-12-31"),
        ] {
            periods[period] = try connection.query(
                "INSERT INTO danvan.periods (kind, name, starts_on, ends_on) VALUES ($1::danvan.period_kind, $2, $3::date, $4::date) RETURNING id",
                kind, name, first, last
            ).single().decode("id")
        }
        return (campaign, periods)
    }

    /// The tables the demo sets up before its year and those the year fills day by day.
    static let analysedTables = [
        "danvan.campaigns", "danvan.periods", "danvan.units", "danvan.unit_links", "danvan.models", "danvan.model_transitions", "danvan.activities", "danvan.deadlines",
        "danvan.inspection_plans", "danvan.inspection_visits", "danvan.notifications", "danvan.documents",
    ]

    private func setClock(_ day: CivilDate, hour: Int) throws {
        try connection.query(
            """
            INSERT INTO danvan.simulated_clock (now) VALUES (($1::date + make_time($2, 0, 0)) AT TIME ZONE 'Asia/Ho_Chi_Minh')
            ON CONFLICT (only_row) DO UPDATE SET now = excluded.now
            """,
            day.iso, Int32(hour)
        )
    }

    /// Units meet their open (or overdue) deadlines on the day `DemoPolicy` gives.
    private func meetDeadlines(on day: CivilDate, by current: (Int64) -> Int64, in connection: PostgresConnection) throws {
        let pending = try connection.query(
            """
            SELECT id, unit_id, kind::text AS kind, title, to_char(due_on, 'DD/MM/YYYY') AS due
            FROM danvan.deadlines WHERE status IN ('open', 'overdue') ORDER BY id
            """
        )
        for row in pending {
            let due = try CivilDate(parsing: try row.decode("due"))
            guard let completion = DemoPolicy.completion(
                seed: settings.seed, unit: try row.decode("unit_id"), kind: try row.decode("kind"), title: try row.decode("title"), due: due
            ), completion <= day else { continue }
            _ = try DeadlineBook().meet(try row.decode("id"), on: day, by: .unit(current(try row.decode("unit_id")), .editor), in: connection)
        }
    }

    /// Delegations file their findings on the day of each visit (most of them).
    private func reportVisits(on day: CivilDate, by current: (Int64) -> Int64, in connection: PostgresConnection) throws {
        let visits = try connection.query(
            """
            SELECT v.id, v.unit_id, p.title, p.issuing_unit_id FROM danvan.inspection_visits AS v JOIN danvan.inspection_plans AS p ON p.id = v.plan_id
            WHERE v.visit_on = $1::date AND v.done_at IS NULL ORDER BY v.id
            """,
            day.iso
        )
        for row in visits {
            guard let report = DemoPolicy.report(seed: settings.seed, plan: try row.decode("title"), unit: try row.decode("unit_id")) else { continue }
            try InspectionVisits().record(
                visit: try row.decode("id"), findings: report.findings, recommendations: report.recommendations, on: day,
                by: .unit(current(try row.decode("issuing_unit_id")), .editor), in: connection
            )
        }
    }

    /// Returns once no job of the domain's queues is waiting to run now or running.
    /// Jobs waiting to retry after a failure run on a later day, as they would.
    private func waitForQuiet(_ workers: [WorkerProcess]) throws {
        let queues = DanVanJobs.queues(concurrency: 1).map(\.name)
        while true {
            let busy = try connection.query(
                "SELECT EXISTS (SELECT 1 FROM kheo.jobs WHERE queue = ANY($1) AND state IN ('available', 'running')) AS busy", queues
            ).single().decode("busy", as: Bool.self)
            guard busy else { return }
            if let stopped = workers.first(where: { !$0.isRunning }) {
                throw DemoError("a worker process stopped during the demo:\n\(stopped.output.suffix(4000))")
            }
            Thread.sleep(forTimeInterval: 0.002)
        }
    }

    private func printProgress(month: CivilDate, since start: ContinuousClock.Instant) throws {
        let row = try connection.query(
            """
            SELECT (SELECT count(*) FROM danvan.models) AS models,
                   (SELECT count(*) FROM danvan.model_transitions WHERE from_state IS NOT NULL) AS steps,
                   (SELECT count(*) FROM danvan.activities) AS activities,
                   (SELECT count(*) FILTER (WHERE done_at IS NOT NULL) || '/' || count(*) FROM danvan.inspection_visits) AS visits,
                   (SELECT count(*) FROM danvan.notifications WHERE kind = 'deadline.reminder') AS reminders,
                   (SELECT count(*) FROM danvan.deadlines WHERE status = 'overdue') AS overdue,
                   (SELECT count(*) FROM danvan.deadlines WHERE status = 'met' AND NOT met_late) AS met,
                   (SELECT count(*) FROM danvan.deadlines WHERE status = 'met' AND met_late) AS late,
                   (SELECT count(*) FROM kheo.all_jobs WHERE queue = ANY($1)) AS jobs
            """,
            DanVanJobs.queues(concurrency: 1).map(\.name)
        ).single()
        let cells: [String] = [
            String(format: "%02d/%d", month.month, month.year),
            String(try row.decode("models", as: Int64.self)), String(try row.decode("steps", as: Int64.self)),
            String(try row.decode("activities", as: Int64.self)), try row.decode("visits", as: String.self),
            String(try row.decode("reminders", as: Int64.self)), String(try row.decode("overdue", as: Int64.self)),
            String(try row.decode("met", as: Int64.self)), String(try row.decode("late", as: Int64.self)),
            String(try row.decode("jobs", as: Int64.self)),
            String(format: "%.1f s", start.duration(to: ContinuousClock().now).inSeconds),
        ]
        let widths = [9, 6, 6, 11, 12, 10, 8, 4, 5, 6, 9]
        print("  " + zip(cells, widths).enumerated().map { index, pair in
            index == 0 ? pair.0.padding(toLength: pair.1, withPad: " ", startingAt: 0) : String(repeating: " ", count: max(0, pair.1 - pair.0.count)) + pair.0
        }.joined(separator: " "))
    }

    static func refusalKind(_ error: ModelError) -> String {
        switch error {
        case .outsideWindow: "outside the registration window"
        default: "\(error)"
        }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}

struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
