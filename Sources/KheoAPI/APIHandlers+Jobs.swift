import DanVan
import Foundation
import HTTPTypes
import Kheo
import OpenAPIRuntime
import PostgresClient

/// `/v1/jobs`: enqueue public kinds, and read, list, cancel and retry the jobs the
/// token may see (`Authority`'s `readJobs` and `controlJob`).
extension APIHandlers {
    /// The instants `runAt` may name.
    static let schedulable = Date(timeIntervalSince1970: 0)...Date(timeIntervalSince1970: 253_402_300_799)

    func enqueueJobs(_ input: Operations.EnqueueJobs.Input) async throws -> Operations.EnqueueJobs.Output {
        let principal = try Principal.require(.enqueueJob)
        let requested: [Components.Schemas.JobRequest]
        switch input.body {
        case .json(.JobRequest(let one)): requested = [one]
        case .json(.JobBatch(let batch)): requested = batch.jobs
        }
        let encoder = JSONEncoder()
        var items: [EnqueueItem] = []
        items.reserveCapacity(requested.count)
        for job in requested {
            // Most jobs of a batch carry few or no args: skip the encoder for none.
            let args: Data
            if let given = job.args?.additionalProperties, !given.value.isEmpty { args = try encoder.encode(given) } else { args = Self.noArgs }
            items.append(EnqueueItem(
                kind: job.kind.rawValue, args: args, queue: job.queue, priority: job.priority, runAt: job.runAt, maxAttempts: job.maxAttempts
            ))
        }
        let key = input.headers.idempotencyKey
        return try await enqueue(items, key: key, canonical: key == nil ? "" : try Idempotency.canonical(requested), principal: principal)
    }

    /// One job of a `POST /v1/jobs` body; `args` is a JSON object's text.
    struct EnqueueItem: Sendable {
        var kind: String
        var args: Data
        var queue: String?
        var priority: Int?
        var runAt: Date?
        var maxAttempts: Int?
    }

    /// Checks and enqueues the jobs of one request, all or none.
    func enqueue(
        _ items: [EnqueueItem], key: String?, canonical: String, principal: Principal
    ) async throws -> Operations.EnqueueJobs.Output {
        guard (1...1000).contains(items.count) else {
            return .badRequest(.init(body: .applicationProblemJson(.problem(.badRequest, "a batch holds 1 to 1,000 jobs, not \(items.count)"))))
        }
        var requests: [JobRequest] = []
        requests.reserveCapacity(items.count)
        let tags = principal.unitID.map { [JobScope.unitTag($0)] } ?? []
        var scoped: [(at: String, kind: String, unit: Int64)] = []
        for (index, job) in items.enumerated() {
            // Where a refusal points; built only for a refusal, not for each of 1,000 jobs.
            let at = { items.count > 1 ? "jobs[\(index)]: " : "" }
            guard case .public(let queue, let scopeArguments) = publicKinds[job.kind] else {
                return .badRequest(.init(body: .applicationProblemJson(.problem(.badRequest, "\(at())\"\(job.kind)\" cannot be enqueued here: producers may enqueue \(publicKinds.keys.sorted().joined(separator: ", ")); the movement's work goes through its own endpoints"))))
            }
            if let asked = job.queue, asked != queue {
                return .badRequest(.init(body: .applicationProblemJson(.problem(.badRequest, "\(at())\(job.kind) runs in the queue \"\(queue)\", not \"\(asked)\": leave queue out"))))
            }
            var options = EnqueueOptions(queue: queue)
            if let priority = job.priority { options.priority = priority }
            if let maxAttempts = job.maxAttempts {
                guard (1...100).contains(maxAttempts) else {
                    return .badRequest(.init(body: .applicationProblemJson(.problem(.badRequest, "\(at())maxAttempts must be 1 to 100, not \(maxAttempts)"))))
                }
                options.maxAttempts = maxAttempts
            }
            if let runAt = job.runAt {
                // A date PostgreSQL cannot store (year 0, before 4713 BC) would fail in
                // the INSERT; a job is scheduled within the years people plan in.
                guard Self.schedulable.contains(runAt) else {
                    return .badRequest(.init(body: .applicationProblemJson(.problem(.badRequest, "\(at())runAt must lie between 1970-01-01 and 9999-12-31 (UTC); a time already past runs the job at once"))))
                }
                options.schedule = .at(runAt)
            }
            options.tags = tags
            var request: JobRequest
            do {
                request = try JobRequest(kind: job.kind, encodedObject: job.args, options: options)
            } catch {
                return .badRequest(.init(body: .applicationProblemJson(.problem(.badRequest, "\(at())\(error)"))))
            }
            var jobUnit = principal.unitID
            for name in scopeArguments {
                guard let unit = ScopeArgument.id(name, in: job.args), unit >= 1 else {
                    return .badRequest(.init(body: .applicationProblemJson(.problem(.badRequest, "\(at())\(job.kind) needs args.\(name), the id of a unit within yours"))))
                }
                scoped.append((at(), job.kind, unit))
                if name == scopeArguments.first { jobUnit = unit }
            }
            // Keyed by the unit it is for, so a queue fair by key (the domain's) takes
            // each unit's jobs in turn: one unit's batch of 1,000 does not hold up another's.
            request.partitionKey = jobUnit.map(DanVanJobs.unitKey)
            requests.append(request)
        }
        if !scoped.isEmpty {
            let checks = scoped
            // Once per unit, not per job: a batch usually names one unit a thousand times.
            let refused = try await database.run { pool -> (String, String, Int64)? in
                var allowed: [Int64: Bool] = [:]
                for check in checks {
                    if allowed[check.unit] == nil {
                        allowed[check.unit] = try Authority.allows(.enqueueJob, by: principal, on: .unit(check.unit), in: pool)
                    }
                    if allowed[check.unit] == false { return check }
                }
                return nil
            }
            if let (at, kind, unit) = refused {
                return .notFound(.init(body: .applicationProblemJson(.problem(.notFound, "\(at)\(kind) names unit \(unit): no unit \(unit) within your unit"))))
            }
        }
        let ready = requests
        let key = try APIInput.idempotencyKey(key)
        let outcome: Idempotency.Outcome<[Int64]>
        do {
            if let key {
                // The key's row commits with the jobs.
                outcome = try await database.run { pool in
                    try pool.transaction { connection in
                        try Idempotency.once(key: key, principal: principal, operation: "enqueueJobs", request: canonical, in: connection) {
                            try Producer().enqueueMany(ready, on: connection)
                        }
                    }
                }
            } else {
                // One statement, atomic for a whole batch, shared with requests arriving
                // at the same time.
                outcome = .fresh(try await coalescer.enqueue(ready))
            }
        } catch let error as EnqueueError {
            return .badRequest(.init(body: .applicationProblemJson(.problem(.badRequest, error.description))))
        }
        guard let ids = outcome.response else {
            return .conflict(.init(body: .applicationProblemJson(.problem(
                .conflict, "this Idempotency-Key was used before for another request; use a new key for new work"
            ))))
        }
        return .created(.init(body: .json(.init(ids: ids))))
    }

    static let noArgs = Data("{}".utf8)

    func getJob(_ input: Operations.GetJob.Input) async throws -> Operations.GetJob.Output {
        let principal = try Principal.require(.readJobs)
        let id = input.path.id
        let found = try await database.run { pool -> JobRecord? in
            guard let job = try JobRecord.find(id, on: pool) else { return nil }
            return try Authority.allows(.readJobs, by: principal, on: JobScope.subject(job), in: pool) ? job : nil
        }
        guard let job = found else {
            return .notFound(.init(body: .applicationProblemJson(.problem(.notFound, "no job \(id) within your unit"))))
        }
        return .ok(.init(body: .json(try JobScope.schema(job))))
    }

    func listJobs(_ input: Operations.ListJobs.Input) async throws -> Operations.ListJobs.Output {
        let principal = try Principal.require(.readJobs)
        let query = input.query
        let limit = query.limit ?? 50
        // The generated code checks types, not ranges or patterns.
        if let queue = query.queue, !APIServer.isQueueName(queue) {
            return .badRequest(.init(body: .applicationProblemJson(.problem(.badRequest, "queue: use 1 to 128 letters, digits, and . _ -"))))
        }
        if let kind = query.kind, !APIServer.isQueueName(kind) {
            return .badRequest(.init(body: .applicationProblemJson(.problem(.badRequest, "kind: use 1 to 128 letters, digits, and . _ -"))))
        }
        if let cursor = query.cursor, cursor < 1 {
            return .badRequest(.init(body: .applicationProblemJson(.problem(.badRequest, "cursor must be a job id (1 or more), as nextCursor gave it"))))
        }
        guard (1...200).contains(limit) else {
            return .badRequest(.init(body: .applicationProblemJson(.problem(.badRequest, "limit must be 1 to 200, not \(limit)"))))
        }
        let found = try await database.run { pool -> [JobRecord] in
            let filter = JobFilter(
                states: query.state.flatMap { JobState(rawValue: $0.rawValue) }.map { [$0] } ?? [],
                queues: query.queue.map { [$0] } ?? [], kinds: query.kind.map { [$0] } ?? [],
                limit: limit + 1, before: query.cursor, tags: try JobScope.tags(of: principal, on: pool)
            )
            return try JobRecord.list(filter, on: pool)
        }
        let page = APIInput.page(found, limit: limit, id: \.id)
        return .ok(.init(body: .json(.init(jobs: try page.rows.map { try JobScope.schema($0, withArgs: false) }, nextCursor: page.next))))
    }

    func cancelJob(_ input: Operations.CancelJob.Input) async throws -> Operations.CancelJob.Output {
        switch try await control(input.path.id, { ids, pool in try JobControl().cancel(ids, reason: "cancelled through the API", on: pool) }) {
        case .done(let result): .ok(.init(body: .json(result)))
        case .refused(let problem): .conflict(.init(body: .applicationProblemJson(problem)))
        case .notFound(let problem): .notFound(.init(body: .applicationProblemJson(problem)))
        }
    }

    func retryJob(_ input: Operations.RetryJob.Input) async throws -> Operations.RetryJob.Output {
        switch try await control(input.path.id, { ids, pool in try JobControl().retry(ids, on: pool) }) {
        case .done(let result): .ok(.init(body: .json(result)))
        case .refused(let problem): .conflict(.init(body: .applicationProblemJson(problem)))
        case .notFound(let problem): .notFound(.init(body: .applicationProblemJson(problem)))
        }
    }

    enum ControlOutcome {
        case done(Components.Schemas.ControlResult)
        case refused(Components.Schemas.Problem)
        case notFound(Components.Schemas.Problem)
    }

    /// A cancel or retry of one job the token may see; an editor's at least.
    private func control(
        _ id: Int64, _ action: @escaping @Sendable ([Int64], PostgresConnectionPool) throws -> [JobControlResult]
    ) async throws -> ControlOutcome {
        let principal = try Principal.require(.controlJob)
        let result = try await database.run { pool -> JobControlResult? in
            guard let job = try JobRecord.find(id, on: pool), try Authority.allows(.controlJob, by: principal, on: JobScope.subject(job), in: pool) else {
                return nil
            }
            return try action([id], pool).first
        }
        guard let result, result.outcome != .notFound else { return .notFound(.problem(.notFound, "no job \(id) within your unit")) }
        guard result.outcome.isChange else { return .refused(.problem(.conflict, result.message)) }
        return .done(.init(id: result.id, outcome: result.outcome.rawValue, message: result.message))
    }
}

/// Reads one integer field of a job's args, as the kind's handler will read it.
private struct ScopeArgument: Decodable {
    struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static let nameKey = CodingUserInfoKey(rawValue: "scopeArgument")!
    let id: Int64?

    init(from decoder: any Decoder) throws {
        let name = decoder.userInfo[Self.nameKey] as? String ?? ""
        id = try? decoder.container(keyedBy: Key.self).decode(Int64.self, forKey: Key(stringValue: name))
    }

    static func id(_ name: String, in args: Data) -> Int64? {
        let decoder = JSONDecoder()
        decoder.userInfo[nameKey] = name
        return (try? decoder.decode(ScopeArgument.self, from: args))?.id
    }
}
