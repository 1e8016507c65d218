import DanVan
import Foundation
import Kheo
@testable import KheoAPI
import KheoTesting
import PostgresClient
import Testing

/// The console in a real browser: `Tests/Browser/console_browser.py` drives Debian's
/// Chromium through Playwright for Python, as an official and as an operator would,
/// checks each main page with axe-core, and saves a screenshot of each page in
/// `.build/console-screenshots` (CI keeps them as artifacts). scripts/test installs
/// Playwright and axe-playwright-python from PyPI, and chromium from Debian.
@Suite("Console: in a browser")
struct ConsoleBrowserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func officialsAndOperatorsWorkInChromium() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "chromium is missing: scripts/test installs it (apt-get install chromium)")
        try await APIHarness.with { api in
            let fixture = try await ConsoleFixture.seed(api)
            // Jobs for the operator's throughput chart: enqueued through the API, run
            // by a real worker.
            _ = try await api.enqueue(40, token: try api.token(fixture.units.communeA, .editor))
            try await ConsoleFixture.runWorker(api, queue: "default")
            let completed = try api.count("SELECT count(*) FROM kheo.all_jobs WHERE state = 'completed'")
            let details: [String: Any] = [
                "communeEditor": try api.token(fixture.units.communeA, .editor),
                "communeAdmin": try api.token(fixture.units.communeA, .admin), "document": fixture.document,
                "districtViewer": try api.token(fixture.units.district, .viewer),
                "operator": try api.operatorToken(),
                "district": fixture.units.district, "plan": fixture.plan, "discardedJob": fixture.discardedJob, "completedJobs": completed,
            ]
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", Self.root.appendingPathComponent("Tests/Browser/console_browser.py").path]
            var environment = ProcessInfo.processInfo.environment
            environment["KHEO_BASE"] = api.base.absoluteString
            environment["KHEO_FIXTURE"] = String(decoding: try JSONSerialization.data(withJSONObject: details), as: UTF8.self)
            environment["KHEO_SCREENSHOTS"] = Self.root.appendingPathComponent(".build/console-screenshots").path
            process.environment = environment
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            print(text)
            #expect(process.terminationStatus == 0, "the browser test failed:\n\(text.suffix(6000))")
            #expect(text.contains("browser: all steps passed"))
        }
    }
}
