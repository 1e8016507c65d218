import Dispatch
import Synchronization

/// Runs claimed jobs on Dispatch with as few thread hand-offs as the handlers allow.
///
/// Claimed jobs wait in one list; runners (blocks on Dispatch queues) take them one
/// after another. A runner that takes a job while others still wait and no other
/// runner is free to take them starts one more runner before running its job. So a
/// burst of quick jobs runs on a couple of threads with no wake-up per job, while
/// every job of a burst of slow or blocking ones still starts at once on a runner
/// of its own. Slots (how many jobs may run) are counted by the worker loop, which
/// only submits jobs it has slots for; runners never outnumber running jobs by more
/// than one, plus any left behind by abandoned handlers.
///
/// Each runner gets a new serial queue: serial queues run on Dispatch's overcommitting
/// threads, so a handler that blocks never holds up a job that is waiting to start.
/// (Concurrent queues share a pool sized to the cores, which blocking handlers could
/// fill.)
final class JobRunners: Sendable {
    private struct State {
        var waiting: [@Sendable () -> Void] = []
        /// Index of the next job to take in `waiting`; the list is compacted when empty.
        var next = 0
        /// Runners started that are not inside a job: they will take waiting jobs.
        var free = 0

        var waitingCount: Int { waiting.count - next }

        /// The next job, and whether another runner should start for the ones after it.
        mutating func take() -> (job: (@Sendable () -> Void)?, startAnother: Bool) {
            guard next < waiting.count else {
                waiting.removeAll(keepingCapacity: true)
                next = 0
                free -= 1
                return (nil, false)
            }
            let job = waiting[next]
            next += 1
            free -= 1
            let startAnother = waitingCount > 0 && free == 0
            if startAnother { free += 1 }
            return (job, startAnother)
        }
    }

    private let state = Mutex(State())
    private let label: String

    init(label: String) {
        self.label = label
    }

    /// Queues the jobs and starts a runner if none is free to take them.
    func submit(_ jobs: [@Sendable () -> Void]) {
        guard !jobs.isEmpty else { return }
        let start = state.withLock { state in
            state.waiting.append(contentsOf: jobs)
            guard state.free == 0 else { return false }
            state.free = 1
            return true
        }
        if start { startRunner() }
    }

    private func startRunner() {
        DispatchQueue(label: label).async { [self] in runLoop() }
    }

    private func runLoop() {
        while true {
            let (job, startAnother) = state.withLock { $0.take() }
            guard let job else { return }
            if startAnother { startRunner() }
            job()
            state.withLock { $0.free += 1 }
        }
    }
}
