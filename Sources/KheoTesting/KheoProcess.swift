import Foundation
public import LocalPostgres

/// A `kheo` process running in the background, e.g. a worker a test kills or stops,
/// with its output in a file (see `LoggedProcess`).
public final class KheoProcess: @unchecked Sendable {
    private let child: LoggedProcess

    /// Starts `kheo arguments…` with `environment` added to the test process's own.
    public static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> KheoProcess {
        KheoProcess(child: try LoggedProcess.start(
            executable: URL(fileURLWithPath: try KheoBinary.path()), arguments: arguments,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, label: "kheo-test"
        ))
    }

    /// Starts `kheo arguments…` inside `namespace` (`ip netns exec`, which then execs
    /// kheo: the pid and the signals are kheo's own).
    public static func start(
        _ arguments: [String], environment: [String: String] = [:], in namespace: NetworkNamespace
    ) throws -> KheoProcess {
        let command = namespace.command([try KheoBinary.path()] + arguments)
        return KheoProcess(child: try LoggedProcess.start(
            executable: URL(fileURLWithPath: command[0]), arguments: Array(command.dropFirst()),
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, label: "kheo-test-\(namespace.name)"
        ))
    }

    private init(child: LoggedProcess) {
        self.child = child
    }

    public var pid: Int32 { child.pid }
    public var isRunning: Bool { child.isRunning }

    public func send(_ signal: Int32) { child.send(signal) }

    /// Everything the process has printed so far.
    public var output: String { child.output }

    /// Waits for the process to exit, killing it after `timeout`; returns its status.
    @discardableResult
    public func wait(timeout: Duration = .seconds(120)) throws -> Int32 {
        guard let status = child.wait(timeout: timeout) else {
            throw TestHarnessError("kheo \(child.arguments.joined(separator: " ")) did not exit within \(timeout); output:\n\(child.output.suffix(3000))")
        }
        return status
    }
}
