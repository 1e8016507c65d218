import Dispatch
package import Foundation
import Synchronization

/// A background thread for a node's slow chores (periodic jobs, pruning): it sleeps
/// until its next task is due and wakes at once when the node stops.
package final class ChoreThread: Sendable {
    private let label: String
    private let stopped = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    package init(label: String) {
        self.label = label
    }

    package var isStopped: Bool { stopped.load(ordering: .relaxed) }

    package func start(_ body: @escaping @Sendable () -> Void) {
        DispatchQueue(label: label).async { [self] in
            body()
            finished.signal()
        }
    }

    /// Sleeps for `duration` (at most a minute, so a clock change is noticed) or until
    /// stopped; returns false once stopped.
    package func sleep(for duration: TimeInterval) -> Bool {
        guard !isStopped else { return false }
        let seconds = min(max(duration, 0), 60)
        _ = wake.wait(timeout: .now() + .nanoseconds(Int(seconds * 1e9)))
        return !isStopped
    }

    /// Asks the thread to stop and waits until its body has returned.
    package func stop() {
        stopped.store(true, ordering: .relaxed)
        wake.signal()
        finished.wait()
    }
}
