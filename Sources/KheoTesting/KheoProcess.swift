import Foundation

/// A `kheo` process running in the background, e.g. a worker a test kills or stops.
/// Output goes to a file (not a pipe) so a chatty process never blocks on a full pipe.
public final class KheoProcess: @unchecked Sendable {
    private let process: Process
    private let logFile: URL

    /// Starts `kheo arguments…` with `environment` added to the test process's own.
    public static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> KheoProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try KheoBinary.path())
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("kheo-test-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return KheoProcess(process: process, logFile: logFile)
    }

    private init(process: Process, logFile: URL) {
        self.process = process
        self.logFile = logFile
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: logFile)
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    public func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Everything the process has printed so far.
    public var output: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Waits for the process to exit, killing it after `timeout`; returns its status.
    @discardableResult
    public func wait(timeout: Duration = .seconds(120)) throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw TestHarnessError("kheo \(process.arguments?.joined(separator: " ") ?? "") did not exit within \(timeout); output:\n\(output.suffix(3000))")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return process.terminationStatus
    }
}
