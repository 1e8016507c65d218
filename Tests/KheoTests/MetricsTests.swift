import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Kheo
import KheoTesting
import Synchronization
import Testing

/// `kheo work --metrics-port` serves Prometheus text whose counters match the jobs run.
@Suite("Metrics endpoint", .serialized)
struct MetricsTests {
    /// One sample: a metric name, its labels, its value.
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct FormatError: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses the Prometheus text exposition format strictly enough to catch what a
    /// scraper would refuse: every sample belongs to a family declared by `# TYPE`
    /// before it, names and labels are well formed, values are numbers, and each
    /// histogram's buckets are cumulative and end in `+Inf` equal to its `_count`.
    static func parse(_ text: String) throws -> [Sample] {
        var types: [String: String] = [:]
        var samples: [Sample] = []
        let name = #/[a-zA-Z_:][a-zA-Z0-9_:]*/#
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3)
                if parts.count >= 2, parts[1] == "TYPE" {
                    guard parts.count == 4, (try? name.wholeMatch(in: parts[2])) != nil,
                          ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3])
                    else { throw FormatError(description: "line \(number + 1): bad TYPE line: \(line)") }
                    guard types[String(parts[2])] == nil else { throw FormatError(description: "line \(number + 1): \(parts[2]) typed twice") }
                    types[String(parts[2])] = String(parts[3])
                }
                continue
            }
            guard let match = try #/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/#.wholeMatch(in: line) else {
                throw FormatError(description: "line \(number + 1): not a sample: \(line)")
            }
            var labels: [String: String] = [:]
            if let body = match.output.3, !body.isEmpty {
                for pair in body.split(separator: ",") {
                    guard let label = try #/^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"$/#.wholeMatch(in: pair) else {
                        throw FormatError(description: "line \(number + 1): bad label \(pair)")
                    }
                    labels[String(label.output.1)] = String(label.output.2)
                }
            }
            let raw = String(match.output.4)
            guard let value = raw == "+Inf" ? Double.infinity : raw == "-Inf" ? -Double.infinity : Double(raw) else {
                throw FormatError(description: "line \(number + 1): value \(raw) is not a number")
            }
            let sampleName = String(match.output.1)
            let family = ["_bucket", "_sum", "_count"].reduce(sampleName) { found, suffix in
                types[found] == nil && sampleName.hasSuffix(suffix) ? String(sampleName.dropLast(suffix.count)) : found
            }
            guard types[family] != nil else { throw FormatError(description: "line \(number + 1): \(sampleName) has no TYPE line before it") }
            samples.append(Sample(name: sampleName, labels: labels, value: value))
        }
        for (family, type) in types where type == "histogram" {
            let series = Dictionary(grouping: samples.filter { $0.name == family + "_bucket" }) { $0.labels.filter { $0.key != "le" } }
            for (labels, buckets) in series {
                let ordered = buckets.sorted { (Double($0.labels["le"]!.replacingOccurrences(of: "+Inf", with: "inf")) ?? .infinity) < (Double($1.labels["le"]!.replacingOccurrences(of: "+Inf", with: "inf")) ?? .infinity) }
                guard ordered.last?.labels["le"] == "+Inf" else { throw FormatError(description: "\(family)\(labels) has no +Inf bucket") }
                guard zip(ordered, ordered.dropFirst()).allSatisfy({ $0.value <= $1.value }) else {
                    throw FormatError(description: "\(family)\(labels) buckets are not cumulative")
                }
                let count = samples.first { $0.name == family + "_count" && $0.labels == labels }
                guard count?.value == ordered.last?.value else { throw FormatError(description: "\(family)\(labels): +Inf bucket differs from _count") }
            }
        }
        return samples
    }

    static func scrape(_ url: URL) throws -> (status: Int, body: String) {
        let result = Mutex<(Int, String)?>(nil)
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: url) { data, response, _ in
            result.withLock { $0 = ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data ?? Data(), as: UTF8.self)) }
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 10)
        guard let (status, body) = result.withLock({ $0 }) else { throw FormatError(description: "no answer from \(url)") }
        return (status, body)
    }

    @Test func countersMatchTheJobsRun() throws {
        try TestDatabase.with(schema: .binary) { db in
            let producer = Producer()
            try producer.enqueueMany(Array(repeating: JobRequest(kind: "kheo.noop", options: EnqueueOptions(queue: "measured")), count: 40), on: db.pool)
            let failing = try JobRequest(BuiltinJobs.Fail(times: 1), options: EnqueueOptions(queue: "measured", maxAttempts: 1))
            try producer.enqueueMany(Array(repeating: failing, count: 3), on: db.pool)
            let worker = try KheoProcess.start(
                ["work", "--test-kinds", "--log-level", "notice", "--queue", "measured=4", "--metrics-port", "0", "--metrics-host", "127.0.0.1"],
                environment: ["DATABASE_URL": db.url]
            )
            defer {
                worker.send(SIGTERM)
                _ = try? worker.wait(timeout: .seconds(30))
            }
            try waitUntil(timeout: .seconds(30)) {
                try count("SELECT count(*) FROM kheo.all_jobs WHERE state IN ('completed', 'discarded')", in: db) == 43
            }
            var port: String?
            #expect(eventually(timeout: .seconds(10)) {
                port = worker.output.firstMatch(of: #/127\.0\.0\.1:(\d+)/metrics/#).map { String($0.output.1) }
                return port != nil
            }, "\(worker.output)")
            let boundPort = try #require(port)
            let url = try #require(URL(string: "http://127.0.0.1:\(boundPort)/metrics"))
            // The gauges are published every 5 s: wait for the first values after the drain.
            var samples: [Sample] = []
            #expect(try eventually(timeout: .seconds(15)) {
                let (status, body) = try Self.scrape(url)
                guard status == 200 else { return false }
                samples = try Self.parse(body)
                return samples.contains { $0.name == "kheo_queue_jobs" && $0.labels["state"] == "available" && $0.value == 0 }
            })
            func value(_ name: String, kind: String) -> Double {
                samples.first { $0.name == name && $0.labels == ["queue": "measured", "kind": kind] }?.value ?? -1
            }
            #expect(value("kheo_jobs_started_total", kind: "kheo.noop") == 40)
            #expect(value("kheo_jobs_completed_total", kind: "kheo.noop") == 40)
            #expect(value("kheo_jobs_started_total", kind: "kheo.fail") == 3)
            #expect(value("kheo_jobs_discarded_total", kind: "kheo.fail") == 3)
            #expect(value("kheo_jobs_retried_total", kind: "kheo.fail") == 0)
            #expect(value("kheo_job_run_duration_seconds_count", kind: "kheo.noop") == 40)
            #expect(samples.first { $0.name == "kheo_job_pickup_latency_seconds_count" && $0.labels == ["queue": "measured"] }?.value == 43)
            #expect(try Self.scrape(url.deletingLastPathComponent().appendingPathComponent("nothing-here")).status == 404)
        }
    }

    @Test func theParserRefusesBrokenText() {
        #expect(throws: FormatError.self) { try Self.parse("kheo_x 1\n") }
        #expect(throws: FormatError.self) { try Self.parse("# TYPE kheo_x counter\nkheo_x{a=b} 1\n") }
        #expect(throws: FormatError.self) { try Self.parse("# TYPE kheo_x counter\nkheo_x one\n") }
        #expect(throws: FormatError.self) {
            try Self.parse("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n")
        }
        #expect((try? Self.parse("# TYPE kheo_x counter\nkheo_x{queue=\"a\"} 3\n")) == [Sample(name: "kheo_x", labels: ["queue": "a"], value: 3)])
    }
}
