import Foundation
import Logging
import PostgresClient

/// Prunes finished jobs from one node at a time: every node asks for the `prune`
/// leadership each round, and only the node holding it prunes. A leader that dies
/// loses it when its term ends; one that stops hands it over at once.
struct PruneChore: Sendable {
    let pruner: Pruner
    let nodeID: String
    let pool: PostgresConnectionPool
    let logger: Logger

    static let leadership = "prune"

    /// Long enough to survive a slow round, short enough that a dead leader is replaced soon.
    var term: Duration { max(pruner.configuration.interval * 3, .seconds(30)) }

    func run(on thread: ChoreThread) {
        let interval = Double(pruner.configuration.interval.inMilliseconds) / 1000
        while thread.sleep(for: interval) {
            do {
                let leads = try pool.query(
                    "SELECT kheo.claim_leadership($1, $2::uuid, $3::bigint * interval '1 millisecond') AS leads",
                    Self.leadership, nodeID, term.inMilliseconds
                ).single().decode("leads", as: Bool?.self)
                guard leads == true else { continue }
                // At most 100 batches a round, so leadership is renewed in time.
                let report = try pruner.prune(on: pool, maximumBatches: 100)
                if report.total > 0 {
                    logger.info("pruned finished jobs", metadata: [
                        "deleted": "\(report.total)", "batches": "\(report.batches)",
                        "completed": "\(report.deleted[.completed] ?? 0)", "cancelled": "\(report.deleted[.cancelled] ?? 0)",
                        "discarded": "\(report.deleted[.discarded] ?? 0)",
                    ])
                }
            } catch {
                logger.warning("pruning failed; trying again next round", metadata: ["error": "\(error)"])
            }
        }
        _ = try? pool.query("SELECT kheo.resign_leadership($1, $2::uuid)", Self.leadership, nodeID)
    }
}
