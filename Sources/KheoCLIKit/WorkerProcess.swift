import Foundation
package import LocalPostgres

/// A `kheo work` child process: the bench samples its memory as it drains
/// (`--until-empty`); the demo runs its workers until it stops them.
package final class WorkerProcess {
    private let child: LoggedProcess

    /// Starts `kheo work` (this executable) on `queue`, inside `namespace` when given
    /// (`ip netns exec`, which execs kheo: the pid is kheo's).
    package static func start(
        queue: String, concurrency: Int = 100, url: String, untilEmpty: Bool = true, extra: [String] = [], in namespace: NetworkNamespace? = nil
    ) throws -> WorkerProcess {
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = url
        environment[ParentWatch.variable] = String(ProcessInfo.processInfo.processIdentifier)
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let arguments = ["work"] + (untilEmpty ? ["--until-empty"] : []) + ["--queue", "\(queue)=\(concurrency)", "--log-level", "error"] + extra
        let command = namespace?.command([executable] + arguments) ?? [executable] + arguments
        return WorkerProcess(child: try LoggedProcess.start(
            executable: URL(fileURLWithPath: command[0]), arguments: Array(command.dropFirst()),
            environment: environment, label: "kheo-worker"
        ))
    }

    private init(child: LoggedProcess) {
        self.child = child
    }

    package var isRunning: Bool { child.isRunning }

    /// The resident set size now, from /proc.
    package func residentMegabytes() -> Double? { child.residentMegabytes() }

    /// What the process has written so far.
    package var output: String { child.output }

    /// Asks the process to stop (SIGTERM: it finishes its running jobs) and waits.
    package func stop() {
        if child.isRunning { child.send(SIGTERM) }
        _ = child.wait()
    }

    /// Waits for a draining worker to exit; throws with its output if it failed.
    package func finish() throws {
        let status = child.wait() ?? -1
        guard status == 0 else {
            throw WorkerProcessError(status: status, output: String(child.output.suffix(4000)))
        }
    }
}

/// A worker child exited with a failure status.
package struct WorkerProcessError: Error, CustomStringConvertible {
    package let status: Int32
    /// The end of what it wrote.
    package let output: String

    package var description: String { "a worker process exited with status \(status):\n\(output)" }
}
