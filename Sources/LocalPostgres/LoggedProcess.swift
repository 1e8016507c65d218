package import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program running in the background with its output in a log file of its own (not
/// a pipe, so a chatty process never blocks on a full one): the `kheo work` processes
/// the demo and the bench start, and the `kheo` processes tests kill, freeze or stop.
/// The log file is removed when the value goes; a process still running then is killed.
package final class LoggedProcess: @unchecked Sendable {
    private let process: Process
    package let logFile: URL

    /// Starts `executable arguments…` with `environment` as its whole environment.
    package static func start(executable: URL, arguments: [String], environment: [String: String], label: String) throws -> LoggedProcess {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return LoggedProcess(process: process, logFile: logFile)
    }

    private init(process: Process, logFile: URL) {
        self.process = process
        self.logFile = logFile
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: logFile)
    }

    package var pid: Int32 { process.processIdentifier }
    package var isRunning: Bool { process.isRunning }
    package var arguments: [String] { process.arguments ?? [] }

    package func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Everything the process has written so far.
    package var output: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Waits for the process to exit and returns its status; after `timeout` (if one is
    /// given) kills it and returns nil.
    package func wait(timeout: Duration? = nil) -> Int32? {
        guard let timeout else {
            process.waitUntilExit()
            return process.terminationStatus
        }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return nil
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return process.terminationStatus
    }

    /// The resident set size now, from /proc, in megabytes.
    package func residentMegabytes() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return nil }
        return kilobytes / 1024
    }
}
