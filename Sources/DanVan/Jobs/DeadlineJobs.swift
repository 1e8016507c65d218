public import Kheo
import PostgresClient

/// The jobs that chase deadlines:
///
/// - `deadline.scan` (hourly): for each open deadline, a `deadline.remind` per offset
///   whose day has come (7 and 1 days ahead by default), and a `deadline.escalate` for
///   each one past its due date. Both are unique jobs, so a scan that runs twice, or on
///   three nodes at once, enqueues each once.
/// - `deadline.remind`: puts the reminder in the responsible unit's inbox, unless the
///   deadline was met or withdrawn meanwhile.
/// - `deadline.escalate`: marks the deadline overdue and tells the unit and its parent.
///
/// Each handler writes its rows in the transaction that completes its job, and every
/// notification carries a key that makes it land once, so retries never send twice.
public enum DeadlineJobs {
    public struct Scan: JobArgs {
        public static let kind = "deadline.scan"
        /// Days ahead of the due date to remind on; default 7 and 1.
        public var offsets: [Int]?

        public init(offsets: [Int]? = nil) { self.offsets = offsets }

        /// Province-wide: its own key in the fair queue.
        public var partitionKey: String? { Self.kind }
    }

    /// A reminder `daysAhead` before the due day `due` (yyyy-mm-dd). A deadline moved
    /// to another day gets its reminders again for the new day; one for the old day
    /// sends nothing. (`due` is absent from reminders enqueued before deadlines moved.)
    public struct Remind: JobArgs {
        public static let kind = "deadline.remind"
        public var deadlineID: Int64
        public var daysAhead: Int
        public var due: String?

        public init(deadlineID: Int64, daysAhead: Int, due: String? = nil) {
            self.deadlineID = deadlineID
            self.daysAhead = daysAhead
            self.due = due
        }
    }

    /// The escalation of a deadline missed on its due day `due` (yyyy-mm-dd).
    public struct Escalate: JobArgs {
        public static let kind = "deadline.escalate"
        public var deadlineID: Int64
        public var due: String?

        public init(deadlineID: Int64, due: String? = nil) {
            self.deadlineID = deadlineID
            self.due = due
        }
    }

    /// The part of a notification's key that tells one due day from another.
    static func dueSuffix(_ due: String?) -> String { due.map { ":\($0)" } ?? "" }

    public static let defaultOffsets = [7, 1]

    public static func register(in registry: inout JobRegistry) {
        registry.register(ScanHandler())
        registry.register(RemindHandler())
        registry.register(EscalateHandler())
    }

    /// The hourly scan, for `WorkerConfiguration.periodicJobs`.
    public static func hourlyScan(offsets: [Int] = defaultOffsets) throws -> PeriodicJob {
        try PeriodicJob(
            name: "danvan.deadline-scan", schedule: "@hourly",
            job: JobRequest(Scan(offsets: offsets), options: EnqueueOptions(queue: DanVanJobs.queue))
        )
    }

    struct ScanHandler: JobHandler {
        func run(_ args: Scan, context: JobContext) throws -> JobResult {
            let offsets = (args.offsets ?? DeadlineJobs.defaultOffsets).filter { $0 >= 0 }
            try context.transaction { connection in
                let producer = Producer()
                let due = try connection.query(
                    """
                    SELECT d.id, d.unit_id, o.days, d.due_on::text AS due FROM danvan.deadlines AS d CROSS JOIN unnest($1::int[]) AS o(days)
                    WHERE d.status = 'open' AND d.due_on >= danvan.today() AND d.due_on - o.days <= danvan.today()
                    ORDER BY d.id, o.days
                    """,
                    offsets.map(Int32.init)
                )
                for row in due {
                    let remind = Remind(deadlineID: try row.decode("id"), daysAhead: Int(try row.decode("days", as: Int32.self)), due: try row.decode("due"))
                    var request = try JobRequest(remind, options: DeadlineJobs.onceEver(by: ["deadlineID", "daysAhead", "due"]))
                    request.partitionKey = DanVanJobs.unitKey(try row.decode("unit_id"))
                    try producer.enqueue(request, on: connection)
                }
                for row in try connection.query(
                    "SELECT id, unit_id, due_on::text AS due FROM danvan.deadlines WHERE status = 'open' AND due_on < danvan.today() ORDER BY id"
                ) {
                    let escalate = Escalate(deadlineID: try row.decode("id"), due: try row.decode("due"))
                    var request = try JobRequest(escalate, options: DeadlineJobs.onceEver(by: ["deadlineID", "due"]))
                    request.partitionKey = DanVanJobs.unitKey(try row.decode("unit_id"))
                    try producer.enqueue(request, on: connection)
                }
            }
            return .completed
        }
    }

    struct RemindHandler: JobHandler {
        func run(_ args: Remind, context: JobContext) throws -> JobResult {
            try context.transaction { connection in
                guard let deadline = try connection.query(
                    """
                    SELECT unit_id, title, to_char(due_on, 'DD/MM/YYYY') AS due, due_on - danvan.today() AS days_left
                    FROM danvan.deadlines WHERE id = $1 AND status = 'open' AND ($2::date IS NULL OR due_on = $2::date)
                    """,
                    args.deadlineID, args.due
                ).first else { return }
                let daysLeft = Int(try deadline.decode("days_left", as: Int32.self))
                let title: String = try deadline.decode("title")
                let due: String = try deadline.decode("due")
                let when = daysLeft <= 0 ? "hôm nay là hạn chót" : "còn \(daysLeft) ngày"
                try Notifications.post(
                    to: try deadline.decode("unit_id"), kind: "deadline.reminder",
                    title: "Nhắc hạn: \(title)", body: "Nhắc việc: \(title), hạn \(due) (\(when)).",
                    deadline: args.deadlineID, key: "remind:\(args.deadlineID):\(args.daysAhead)" + DeadlineJobs.dueSuffix(args.due), on: connection
                )
            }
            return .completed
        }
    }

    struct EscalateHandler: JobHandler {
        func run(_ args: Escalate, context: JobContext) throws -> JobResult {
            try context.transaction { connection in
                guard let deadline = try connection.query(
                    """
                    UPDATE danvan.deadlines AS d SET status = 'overdue', escalated_at = now()
                    FROM danvan.units AS u
                    WHERE d.id = $1 AND d.status = 'open' AND d.due_on < danvan.today() AND u.id = d.unit_id
                      AND ($2::date IS NULL OR d.due_on = $2::date)
                    RETURNING d.unit_id, u.parent_id, u.name AS unit_name, d.title, to_char(d.due_on, 'DD/MM/YYYY') AS due
                    """,
                    args.deadlineID, args.due
                ).first else { return }
                let title: String = try deadline.decode("title")
                let due: String = try deadline.decode("due")
                let unitName: String = try deadline.decode("unit_name")
                try Notifications.post(
                    to: try deadline.decode("unit_id"), kind: "deadline.overdue",
                    title: "Quá hạn: \(title)", body: "Đã quá hạn \(due): \(title). Đề nghị khẩn trương thực hiện và báo cáo.",
                    deadline: args.deadlineID, key: "overdue:\(args.deadlineID)" + DeadlineJobs.dueSuffix(args.due), on: connection
                )
                if let parent = try deadline.decode("parent_id", as: Int64?.self) {
                    try Notifications.post(
                        to: parent, kind: "deadline.escalated",
                        title: "Đơn vị quá hạn: \(unitName)", body: "\(unitName) chưa hoàn thành \"\(title)\" (hạn \(due)).",
                        deadline: args.deadlineID, key: "escalate:\(args.deadlineID)" + DeadlineJobs.dueSuffix(args.due), on: connection
                    )
                }
            }
            return .completed
        }
    }

    /// Unique by the named args fields, in every state: a reminder or an escalation,
    /// once done, is never enqueued again.
    static func onceEver(by fields: [String]) -> EnqueueOptions {
        EnqueueOptions(queue: DanVanJobs.queue, unique: UniqueOptions(byArgs: fields, alsoWhen: [.completed, .cancelled, .discarded]))
    }
}
