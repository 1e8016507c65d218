/// The session settings of a worker node's control connection, the one that claims
/// jobs and writes their outcomes. The bench gives its pgbench ceiling the same ones.
public enum WorkerSession {
    /// - Commits wait for the WAL flush, as the server is configured (no
    ///   `synchronous_commit = off` here). Asynchronous claims and outcomes did not make
    ///   the drain faster, and they made every other commit slower: the WAL they leave
    ///   unflushed is flushed by the next transaction that waits for it, a producer's
    ///   enqueue or a handler's own transaction. During a burst drained asynchronously,
    ///   a one-row enqueue took 4.4 ms (p50) and a priority-0 job waited p50 5.1 ms,
    ///   p99 11.3 ms to be claimed; with these commits synchronous, 2.3–2.5 ms and
    ///   6.4–7.4 ms, at the same drain rate (`kheo bench --only backlog`, 2 cores).
    /// - `jit = off`: JIT compiles for tens of milliseconds; these statements run in one.
    /// - `plan_cache_mode = force_generic_plan`: the claim statement's custom plans look
    ///   cheaper to the planner than its generic plan, so by default PostgreSQL plans
    ///   it afresh on every execution. Planning took 0.5–1 ms, more than executing it
    ///   (0.25 ms), and was most of the pickup latency of an idle node. Every statement
    ///   the loop prepares is written to have a good generic plan (see `JobSQL`).
    /// - `enable_seqscan = off`: a generic plan is made once, on the table as the
    ///   statistics describe it at that moment, and kept until the next ANALYZE. A node
    ///   that starts on an empty queue plans its statements on an empty table, where
    ///   reading the whole table is the cheapest path to every row; when a burst of
    ///   300,000 jobs then arrives, every claim reads the whole table twice (250 ms
    ///   instead of 2) until autovacuum's ANALYZE, up to a minute later, replans it.
    ///   Every statement this connection runs has an index to use (`JobSQL`), so ruling
    ///   the full scan out changes nothing when statistics are right and everything
    ///   when they are not. Only this connection has it: handlers' own connections run
    ///   users' queries, which must plan as PostgreSQL would.
    public static let settings: [String: String] = [
        "jit": "off",
        "plan_cache_mode": "force_generic_plan",
        "enable_seqscan": "off",
    ]
}
