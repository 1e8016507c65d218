import Foundation

/// Stops a worker whose parent process is gone. The demo and the bench start
/// `kheo work` children with `KHEO_STOP_WITH_PARENT` set to their pid; if the parent
/// dies without stopping them (killed, or interrupted by Ctrl-C), the child would
/// otherwise keep running, reconnecting to a database the next run recreates.
package enum ParentWatch {
    package static let variable = "KHEO_STOP_WITH_PARENT"

    /// When the variable names a pid, checks every second that it is still this
    /// process's parent and, once it is not, calls `stop` once.
    package static func start(_ stop: @escaping @Sendable () -> Void) {
        guard let text = ProcessInfo.processInfo.environment[variable], let parent = Int32(text) else { return }
        let thread = Thread {
            while getppid() == parent { Thread.sleep(forTimeInterval: 1) }
            stop()
        }
        thread.name = "kheo.parent-watch"
        thread.start()
    }
}
