import DanVan
import Foundation
import HTTPTypes
import Kheo
import Logging
import OpenAPIRuntime
import PostgresClient

/// The operations of `openapi.yaml`. Each checks the caller's role and scope, then does
/// its database work on `BlockingDatabase`'s threads.
struct APIHandlers: APIProtocol {
    let database: BlockingDatabase
    /// The kinds a worker of this build can run; anything else is refused at the door.
    let kinds: Set<String>
    let migrations: [Migration]
    let logger: Logger

    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        .ok(.init(body: .plainText("ok\n")))
    }

    func getReadiness(_ input: Operations.GetReadiness.Input) async throws -> Operations.GetReadiness.Output {
        let migrations = self.migrations
        let logger = self.logger
        let pending: Int
        do {
            pending = try await database.run { pool in
                try pool.withConnection { connection in
                    try Migrator(migrations: migrations, logger: logger).status(on: connection).filter { $0.state == .pending }.count
                }
            }
        } catch {
            return .serviceUnavailable(.init(body: .applicationProblemJson(.problem(.serviceUnavailable, "the database cannot be reached: \(Self.brief(error))"))))
        }
        guard pending == 0 else {
            return .serviceUnavailable(.init(body: .applicationProblemJson(.problem(.serviceUnavailable, "\(pending) migration(s) pending: run kheo migrate"))))
        }
        return .ok(.init(body: .plainText("ready\n")))
    }

    func enqueueJobs(_ input: Operations.EnqueueJobs.Input) async throws -> Operations.EnqueueJobs.Output {
        let principal = try Principal.require(.editor)
        let requested: [Components.Schemas.JobRequest]
        switch input.body {
        case .json(.JobRequest(let one)): requested = [one]
        case .json(.JobBatch(let batch)): requested = batch.jobs
        }
        guard (1...1000).contains(requested.count) else {
            return .badRequest(.init(body: .applicationProblemJson(.problem(.badRequest, "a batch holds 1 to 1,000 jobs, not \(requested.count)"))))
        }
        var requests: [JobRequest] = []
        for (index, job) in requested.enumerated() {
            let at = requested.count > 1 ? "jobs[\(index)]: " : ""
            guard kinds.contains(job.kind) else {
                return .badRequest(.init(body: .applicationProblemJson(.problem(.badRequest, "\(at)no worker runs jobs of kind \"\(job.kind.prefix(80))\"; known kinds: \(kinds.sorted().joined(separator: ", "))"))))
            }
            var options = EnqueueOptions(queue: job.queue ?? EnqueueOptions.defaultQueue)
            if let priority = job.priority { options.priority = priority }
            if let maxAttempts = job.maxAttempts { options.maxAttempts = maxAttempts }
            if let runAt = job.runAt { options.schedule = .at(runAt) }
            options.tags = [Self.unitTag(principal.unitID)]
            let args = try JSONEncoder().encode(job.args?.additionalProperties ?? OpenAPIObjectContainer())
            do {
                requests.append(try JobRequest(kind: job.kind, argsBytes: args, options: options))
            } catch {
                return .badRequest(.init(body: .applicationProblemJson(.problem(.badRequest, "\(at)\(error)"))))
            }
        }
        let ready = requests
        let ids: [Int64]
        do {
            ids = try await database.run { pool in
                try pool.transaction { connection in try Producer().enqueueMany(ready, on: connection) }
            }
        } catch let error as EnqueueError {
            return .badRequest(.init(body: .applicationProblemJson(.problem(.badRequest, error.description))))
        }
        return .created(.init(body: .json(.init(ids: ids))))
    }

    func getJob(_ input: Operations.GetJob.Input) async throws -> Operations.GetJob.Output {
        let principal = try Principal.require(.viewer)
        let id = input.path.id
        let found = try await database.run { pool -> JobRecord? in
            guard let job = try JobRecord.find(id, on: pool) else { return nil }
            return try Self.visible(job, to: principal, on: pool) ? job : nil
        }
        guard let job = found else {
            return .notFound(.init(body: .applicationProblemJson(.problem(.notFound, "no job \(id) within your unit"))))
        }
        return .ok(.init(body: .json(try Self.schema(job))))
    }

    // MARK: - Scope

    static func unitTag(_ unit: Int64) -> String { "unit:\(unit)" }

    /// A job submitted through the API belongs to its token's unit: a token sees it when
    /// that unit is in its subtree. Jobs from elsewhere (workers, Swift code) carry no
    /// unit and are for admins only.
    static func visible(_ job: JobRecord, to principal: Principal, on executor: some PostgresExecutor) throws -> Bool {
        guard let unit = job.tags.lazy.compactMap({ $0.hasPrefix("unit:") ? Int64($0.dropFirst(5)) : nil }).first else {
            return principal.role == .admin
        }
        return try UnitDirectory().contains(principal.unitID, unit, on: executor)
    }

    static func schema(_ job: JobRecord) throws -> Components.Schemas.Job {
        let args = try JSONDecoder().decode(OpenAPIObjectContainer.self, from: Data(job.args.utf8))
        return Components.Schemas.Job(
            id: job.id, kind: job.kind, queue: job.queue, state: .init(rawValue: job.state.rawValue) ?? .discarded,
            priority: job.priority, attempt: job.attempt, maxAttempts: job.maxAttempts, args: .init(additionalProperties: args),
            scheduledAt: job.scheduledAt, finalizedAt: job.finalizedAt,
            errors: job.errors.map { .init(attempt: $0.attempt, at: $0.at, error: $0.error) }
        )
    }

    /// An error's first line, without connection details.
    static func brief(_ error: any Error) -> String {
        String(String(describing: error).split(separator: "\n").first ?? "").prefix(200).description
    }
}

extension Components.Schemas.Problem {
    static func problem(_ status: HTTPResponse.Status, _ detail: String) -> Self {
        let problem = Problem(status, detail)
        return .init(_type: problem.type, title: problem.title, status: problem.status, detail: detail)
    }
}
