import Foundation
import LocalPostgres

/// A `kheo work` child process: the bench samples its memory as it drains
/// (`--until-empty`); the demo runs its workers until it stops them.
final class WorkerProcess {
    private let child: LoggedProcess

    static func start(queue: String, concurrency: Int = 100, url: String, untilEmpty: Bool = true, extra: [String] = []) throws -> WorkerProcess {
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = url
        environment[ParentWatch.variable] = String(ProcessInfo.processInfo.processIdentifier)
        return WorkerProcess(child: try LoggedProcess.start(
            executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(),
            arguments: ["work"] + (untilEmpty ? ["--until-empty"] : []) + ["--queue", "\(queue)=\(concurrency)", "--log-level", "error"] + extra,
            environment: environment, label: "kheo-worker"
        ))
    }

    private init(child: LoggedProcess) {
        self.child = child
    }

    var isRunning: Bool { child.isRunning }

    /// The resident set size now, from /proc.
    func residentMegabytes() -> Double? { child.residentMegabytes() }

    /// What the process has written so far.
    var output: String { child.output }

    /// Asks the process to stop (SIGTERM: it finishes its running jobs) and waits.
    func stop() {
        if child.isRunning { child.send(SIGTERM) }
        _ = child.wait()
    }

    /// Waits for a draining worker to exit; throws with its output if it failed.
    func finish() throws {
        let status = child.wait() ?? -1
        guard status == 0 else {
            throw BenchError("a worker process exited with status \(status):\n\(child.output.suffix(4000))")
        }
    }
}
