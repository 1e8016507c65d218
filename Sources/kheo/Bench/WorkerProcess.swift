import Foundation

/// A `kheo work` child process: the bench samples its memory as it drains
/// (`--until-empty`); the demo runs its workers until it stops them.
final class WorkerProcess {
    let process: Process
    let log: URL

    static func start(queue: String, concurrency: Int = 100, url: String, untilEmpty: Bool = true, extra: [String] = []) throws -> WorkerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["work"] + (untilEmpty ? ["--until-empty"] : []) + ["--queue", "\(queue)=\(concurrency)", "--log-level", "error"] + extra
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = url
        environment[ParentWatch.variable] = String(ProcessInfo.processInfo.processIdentifier)
        process.environment = environment
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("kheo-worker-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return WorkerProcess(process: process, log: log)
    }

    private init(process: Process, log: URL) {
        self.process = process
        self.log = log
    }

    var isRunning: Bool { process.isRunning }

    /// The resident set size now, from /proc.
    func residentMegabytes() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return nil }
        return kilobytes / 1024
    }

    /// What the process has written so far.
    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Asks the process to stop (SIGTERM: it finishes its running jobs) and waits.
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: log)
    }

    func finish() throws {
        process.waitUntilExit()
        defer { try? FileManager.default.removeItem(at: log) }
        guard process.terminationStatus == 0 else {
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw BenchError("a worker process exited with status \(process.terminationStatus):\n\(output.suffix(4000))")
        }
    }
}
