import Dispatch
import Synchronization

/// How other threads reach the worker's control loop: handlers post finished runs,
/// the listener posts woken queues, the owner posts a stop. The loop sleeps on a
/// semaphore that is signalled once per batch of posts, not once per post.
final class Mailbox: Sendable {
    struct Contents {
        var finished: [FinishedRun] = []
        var wokenQueues: Set<String> = []
        /// The listener reconnected and may have missed notifications: look everywhere.
        var wakeAll = false
        var stop: StopRequest?
    }

    enum StopRequest: Sendable, Equatable {
        /// Stop claiming, let running jobs finish within the grace, hand back the rest.
        case graceful(Duration)
    }

    private struct State {
        var contents = Contents()
        var signalled = false
    }

    private let state = Mutex(State())
    private let semaphore = DispatchSemaphore(value: 0)

    func post(_ change: (inout Contents) -> Void) {
        let wake = state.withLock { state in
            change(&state.contents)
            defer { state.signalled = true }
            return !state.signalled
        }
        if wake { semaphore.signal() }
    }

    func take() -> Contents {
        state.withLock { state in
            defer {
                state.contents = Contents()
                state.signalled = false
            }
            return state.contents
        }
    }

    /// Sleeps until something is posted or `timeout` passes.
    func wait(timeout: Duration) {
        guard timeout > .zero else { return }
        _ = semaphore.wait(timeout: .now() + .nanoseconds(Int(min(timeout.inNanoseconds, Int64(Int32.max)))))
    }
}

/// A handler's run that ended, on its way back to the control loop.
struct FinishedRun: Sendable {
    let jobID: Int64
    let attempt: Int
    let outcome: RunOutcome
    let duration: Duration
}

/// What became of one run, before it is turned into a state change.
enum RunOutcome: Sendable {
    case completed
    /// The handler committed the completion itself (`JobContext.transaction`).
    case completedInTransaction
    case failed(message: String, type: String)
    case snoozed(Duration)
    case cancelled(reason: String)
    case discarded(reason: String, type: String)
}

extension RunOutcome {
    /// Outcomes logged only at debug level; skipping their logger saves work per job.
    var isQuiet: Bool {
        switch self {
        case .completed, .completedInTransaction, .snoozed: true
        case .failed, .cancelled, .discarded: false
        }
    }
}
