import DanVan
import Kheo
import KheoTesting

/// Runs the domain's queue on `db` until nothing is left to do, retrying failures after
/// 10 ms (then 20, 40…) so a test sees every attempt a job makes within seconds.
/// Deliveries go where `egress` lets them.
func drainDomainQueue(_ db: TestDatabase, egress: WebhookEgress) throws {
    var registry = JobRegistry()
    DanVanJobs.register(in: &registry, webhookEgress: egress)
    let node = try WorkerNode(
        database: db.configuration, registry: registry,
        configuration: WorkerConfiguration(
            queues: DanVanJobs.queues(concurrency: 2), pollInterval: .milliseconds(100),
            retryPolicy: RetryPolicy(base: .milliseconds(10), jitter: 0), stopWhenEmpty: true
        )
    )
    try node.start()
    node.wait()
}
