import Foundation

/// The built `kheo` executable, for tests that run it as a separate process.
public enum KheoBinary {
    /// `kheo` beside the test bundle in the build folder.
    public static func path() throws -> String {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
        let candidate = directory.appendingPathComponent("kheo").path
        guard FileManager.default.isExecutableFile(atPath: candidate) else {
            throw TestHarnessError("the kheo executable is not at \(candidate); build it first: swift build --build-tests")
        }
        return candidate
    }

    /// What a finished `kheo` run printed and how it exited.
    public struct Run: Sendable {
        public let status: Int32
        public let output: String
    }

    /// Runs `kheo` (or another copy at `executable`) with `arguments` and waits.
    /// `environment` is added to (and overrides) the test process's own.
    public static func run(_ arguments: [String], environment: [String: String] = [:], executable: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable ?? path())
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
