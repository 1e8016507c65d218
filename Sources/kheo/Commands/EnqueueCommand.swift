import ArgumentParser
import Foundation
import Kheo
import PostgresClient

/// `kheo enqueue`: inserts jobs from the command line.
struct EnqueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Insert one or more jobs and print their ids.",
        discussion: """
            Args are a JSON object. Everything is checked before anything is written: a
            bad value exits non-zero and inserts nothing.

            Examples:
              kheo enqueue kheo.noop
              kheo enqueue kheo.sleep --args '{"ms": 500}' --count 100
              kheo enqueue kheo.fail --args '{"times": 2}' --queue retries --max-attempts 5
              kheo enqueue report.generate --args-file args.json --at 2026-12-01T02:00:00+07:00
            """
    )

    @Argument(help: "The job kind, e.g. kheo.noop or report.generate.")
    var kind: String

    @Option(help: "The job's args: a JSON object.")
    var args: String?

    @Option(help: "Read the args from this file ('-' for standard input).")
    var argsFile: String?

    @Option(help: "The queue.")
    var queue: String = EnqueueOptions.defaultQueue

    @Option(help: "0 (runs first) to 9 (runs last).")
    var priority: Int = 0

    @Option(help: "Seconds to wait before the job may run.")
    var delay: Double?

    @Option(help: "When the job may run: ISO 8601 with a zone, e.g. 2026-12-01T02:00:00+07:00.")
    var at: String?

    @Option(help: "Attempts before the job is discarded.")
    var maxAttempts: Int = EnqueueOptions.defaultMaxAttempts

    @Option(name: .customLong("tag"), help: "A tag; repeat for several.")
    var tags: [String] = []

    @Option(help: "How many identical jobs to insert (in batches of 1,000).")
    var count: Int = 1

    @Option(help: "The largest args accepted, in bytes.")
    var maxArgsBytes: Int = Producer.defaultMaxArgsBytes

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let position = RawArguments.firstInvalidUTF8() {
            throw ValidationError("argument \(position) is not valid UTF-8; nothing was inserted")
        }
        if args != nil, argsFile != nil { throw ValidationError("give --args or --args-file, not both") }
        if delay != nil, at != nil { throw ValidationError("give --delay or --at, not both") }
        if let delay, !(delay >= 0 && delay.isFinite) { throw ValidationError("--delay must be zero or more seconds, not \(delay)") }
        guard (1...1_000_000).contains(count) else { throw ValidationError("--count must be 1 to 1,000,000, not \(count)") }
    }

    func run() throws {
        let request = try makeRequest()
        let logger = global.makeLogger(label: "kheo.enqueue")
        let target = try DatabaseTarget.resolve(logger: logger)
        try target.prepareSchema(logger: logger)
        let connection = try PostgresConnection.connect(to: target.configuration, logger: logger)
        let producer = Producer(maxArgsBytes: maxArgsBytes)
        if count == 1 {
            print(try producer.enqueue(request, on: connection))
            return
        }
        // All or nothing: one transaction around every batch.
        let ids = try connection.transaction { connection in
            var ids: [Int64] = []
            var left = count
            while left > 0 {
                let batch = min(left, 1000)
                ids += try producer.enqueueMany(Array(repeating: request, count: batch), on: connection)
                left -= batch
            }
            return ids
        }
        print(ids.map(String.init).joined(separator: "\n"))
    }

    /// Builds and checks the job before any connection is made.
    private func makeRequest() throws -> JobRequest {
        var options = EnqueueOptions(queue: queue, priority: priority, maxAttempts: maxAttempts, tags: tags)
        if let delay { options.schedule = .after(.microseconds(Int64(delay * 1_000_000))) }
        if let at { options.schedule = .at(try Self.parseTime(at)) }
        var request: JobRequest
        if let argsFile {
            let data: Data
            if argsFile == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let contents = FileManager.default.contents(atPath: argsFile) else {
                    throw ValidationError("cannot read --args-file \(argsFile)")
                }
                data = contents
            }
            request = try JobRequest(kind: kind, argsBytes: data, options: options)
        } else {
            request = JobRequest(kind: kind, argsJSON: args ?? "{}", options: options)
        }
        try Producer(maxArgsBytes: maxArgsBytes).validate(request)
        return request
    }

    static func parseTime(_ text: String) throws -> Date {
        let formats: [Date.ISO8601FormatStyle] = [
            .iso8601, Date.ISO8601FormatStyle(includingFractionalSeconds: true),
        ]
        for format in formats {
            if let date = try? format.parse(text) {
                guard date > Date() else {
                    throw ValidationError("--at \(text) is in the past; omit --at to run now, or give a later time")
                }
                return date
            }
        }
        throw ValidationError("--at \(text) is not a time Kheo can read: use ISO 8601 with a zone, e.g. 2026-12-01T02:00:00+07:00")
    }
}
