import Dispatch
import Synchronization

/// How other threads reach the worker's control loop: handlers post finished runs,
/// the listener posts woken queues, the owner posts a stop. The loop sleeps on a
/// semaphore that is signalled once per batch of posts, not once per post, and,
/// while the node is busy, only once enough runs have finished to be worth a round
/// trip: waking the loop for every finished job cost more CPU than the jobs did.
final class Mailbox: Sendable {
    struct Contents {
        var finished: [FinishedRun] = []
        var wokenQueues: Set<String> = []
        /// The listener reconnected and may have missed notifications: look everywhere.
        var wakeAll = false
        /// Running jobs an operator cancelled (`kheo.cancel_jobs`).
        var cancelRequested: Set<Int64> = []
        var stop: StopRequest?
    }

    enum StopRequest: Sendable, Equatable {
        /// Stop claiming, let running jobs finish within the grace, hand back the rest.
        case graceful(Duration)
    }

    private struct State {
        var contents = Contents()
        var signalled = false
        /// Finished runs that warrant waking the loop; any other post always does.
        var wakeAfterFinished = 1

        var worthWaking: Bool {
            contents.stop != nil || contents.wakeAll || !contents.wokenQueues.isEmpty || !contents.cancelRequested.isEmpty
                || contents.finished.count >= wakeAfterFinished
        }
    }

    private let state = Mutex(State())
    private let semaphore = DispatchSemaphore(value: 0)

    func post(_ change: (inout Contents) -> Void) {
        let wake = state.withLock { state in
            change(&state.contents)
            guard !state.signalled, state.worthWaking else { return false }
            state.signalled = true
            return true
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

    /// Sleeps until something is posted (counting finished runs only once there are
    /// `finishedRuns` of them) or `timeout` passes.
    func wait(timeout: Duration, finishedRuns: Int = 1) {
        guard timeout > .zero else { return }
        let ready = state.withLock { state in
            state.wakeAfterFinished = max(1, finishedRuns)
            return state.worthWaking
        }
        if ready { return }
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
