import DanVan
import Foundation
import Kheo
import OpenAPIRuntime
import PostgresClient

/// Which jobs a token may see. A job submitted through the API carries its token's unit
/// as a tag (`unit:ID`); a token sees the jobs of its unit's subtree. Jobs from
/// elsewhere (workers, Swift code) carry no tag and are for admin tokens only.
enum JobScope {
    static func unitTag(_ unit: Int64) -> String { "unit:\(unit)" }

    /// The rule of `tags(of:)` and `JobFilter.includeUntagged`, for one job.
    static func visible(_ job: JobRecord, to principal: Principal, on executor: some PostgresExecutor) throws -> Bool {
        if job.tags.isEmpty { return principal.role == .admin }
        guard let unit = job.tags.lazy.compactMap({ $0.hasPrefix("unit:") ? Int64($0.dropFirst(5)) : nil }).first else { return false }
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

    /// The tags of every unit in the token's subtree.
    static func tags(of principal: Principal, on executor: some PostgresExecutor) throws -> [String] {
        try executor.query(
            "SELECT 'unit:' || id AS tag FROM danvan.units WHERE path @> ARRAY[$1::bigint]", principal.unitID
        ).map { try $0.decode("tag", as: String.self) }
    }
}
