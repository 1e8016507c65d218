import DanVan
import Foundation
import Kheo
import OpenAPIRuntime
import PostgresClient

/// Which jobs a token may see. A job submitted through the API carries its token's unit
/// as a tag (`unit:ID`); a token sees the jobs of its unit's subtree (`Authority`'s
/// `readJobs`). Jobs from elsewhere (workers, Swift code, the CLI) carry no unit and
/// are for operators only.
enum JobScope {
    static func unitTag(_ unit: Int64) -> String { "unit:\(unit)" }

    /// The unit a job was submitted for, from its tags; nil for none.
    static func unit(of job: JobRecord) -> Int64? {
        job.tags.lazy.compactMap { $0.hasPrefix("unit:") ? Int64($0.dropFirst(5)) : nil }.first
    }

    /// What `Authority` is asked about for a job.
    static func subject(_ job: JobRecord) -> Subject { .record("job", job.id, unit: unit(of: job)) }

    /// A job as the API shows it. Lists leave out the args (`withArgs: false`), so a
    /// page's size is bounded by its count, not by what producers stored; `GET
    /// /v1/jobs/{id}` shows them.
    static func schema(_ job: JobRecord, withArgs: Bool = true) throws -> Components.Schemas.Job {
        let args = withArgs ? try JSONDecoder().decode(OpenAPIObjectContainer.self, from: Data(job.args.utf8)) : nil
        return Components.Schemas.Job(
            id: job.id, kind: job.kind, queue: job.queue, state: .init(rawValue: job.state.rawValue) ?? .discarded,
            priority: job.priority, attempt: job.attempt, maxAttempts: job.maxAttempts, args: args.map { .init(additionalProperties: $0) },
            scheduledAt: job.scheduledAt, finalizedAt: job.finalizedAt,
            errors: job.errors.map { .init(attempt: $0.attempt, at: $0.at, error: $0.error) }
        )
    }

    /// The filter of a listing: every job for an operator; for a unit's token, the
    /// jobs tagged with a unit of its subtree.
    static func tags(of principal: Principal, on executor: some PostgresExecutor) throws -> [String] {
        guard let unit = principal.unitID else { return [] }
        // Never empty for a unit's token: an empty list would mean "no restriction".
        return [unitTag(unit)] + (try executor.query(
            "SELECT 'unit:' || id AS tag FROM danvan.units WHERE path @> ARRAY[$1::bigint] AND id <> $1", unit
        ).map { try $0.decode("tag", as: String.self) })
    }
}
