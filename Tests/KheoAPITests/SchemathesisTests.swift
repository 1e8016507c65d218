import Foundation
import KheoAPI
import KheoTesting
import Testing

/// Property-based fuzzing of the running API against its own OpenAPI document, by
/// schemathesis (from PyPI; scripts/test installs it): every operation gets requests
/// that follow the schema and requests that break it, with an admin token of the
/// district so every operation is reachable. It must find no 5xx, no response that
/// breaks the document and no invalid request accepted.
///
/// One check is left out: that every schema-valid request is accepted. Job args are
/// free JSON, and JSON strings may hold NUL (`\u0000`), which PostgreSQL's jsonb
/// cannot store; such a body answers 400, as the document says, and no JSON Schema can
/// forbid NUL at every depth without losing what args mean.
@Suite("HTTP API: schemathesis")
struct SchemathesisTests {
    static let pinned = "4.32.5"

    @Test func aFuzzRunFindsNothing() async throws {
        let executable = try #require(Self.find("schemathesis"), """
            schemathesis is not installed: scripts/test installs it; by hand: python3 -m pip install 'schemathesis==\(Self.pinned)'
            """)
        try await APIHarness.with { api in
            let units = try api.units()
            let admin = try api.token(units.district, .admin)
            _ = try await api.enqueue(3, token: admin)
            let process = Process()
            process.executableURL = executable
            process.arguments = [
                "run", api.base.appendingPathComponent("openapi.yaml").absoluteString,
                "--header", "Authorization: Bearer \(admin)", "--checks", "all", "--exclude-checks", "positive_data_acceptance",
                "--max-examples", "50", "--seed", "20261123", "--no-color",
            ]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            var environment = ProcessInfo.processInfo.environment
            environment["SCHEMATHESIS_TELEMETRY"] = "false"
            process.environment = environment
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "schemathesis found failures:\n\(text.suffix(6000))")
            #expect(text.contains("Tested: "), "\(text.suffix(2000))")
        }
    }

    static func find(_ name: String) -> URL? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/local/bin", "/root/.local/bin"]
        return paths.map { URL(fileURLWithPath: $0).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}
