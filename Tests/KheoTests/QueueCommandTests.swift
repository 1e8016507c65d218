import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Testing

@Suite("kheo enqueue, jobs stats and bench")
struct QueueCommandTests {
    @Test func enqueuePrintsIdsAndStatsCountThem() throws {
        try TestDatabase.with(schema: .binary) { db in
            let env = ["DATABASE_URL": db.url]
            let run = try KheoBinary.run(["enqueue", "kheo.noop", "--count", "3", "--queue", "cli", "--tag", "demo"], environment: env)
            #expect(run.status == 0, "\(run.output)")
            let ids = run.output.split(separator: "\n").compactMap { Int64($0) }
            #expect(ids.count == 3)
            let later = try KheoBinary.run(["enqueue", "kheo.sleep", "--args", #"{"ms": 1}"#, "--queue", "cli", "--delay", "60"], environment: env)
            #expect(later.status == 0, "\(later.output)")
            let stats = try KheoBinary.run(["jobs", "stats", "--json"], environment: env)
            let decoded = try JSONDecoder().decode([QueueStatistics].self, from: Data(stats.output.utf8))
            #expect(decoded.first?.queue == "cli")
            #expect(decoded.first?.count(.available) == 3)
            #expect(decoded.first?.count(.scheduled) == 1)
        }
    }

    @Test(arguments: [
        (["enqueue", "kheo.noop", "--args", "{not json"], "not valid JSON"),
        (["enqueue", "kheo.noop", "--args", "[1, 2]"], "JSON object"),
        (["enqueue", "kheo.noop", "--queue", ""], "invalid queue name"),
        (["enqueue", "kheo.noop", "--queue", String(repeating: "q", count: 200)], "invalid queue name"),
        (["enqueue", "kheo.noop", "--queue", "x'; DROP TABLE kheo.jobs; --"], "invalid queue name"),
        (["enqueue", "kheo.noop", "--priority=-1"], "priority -1"),
        (["enqueue", "kheo.noop", "--at", "2001-01-01T00:00:00Z"], "in the past"),
        (["enqueue", "kheo.noop", "--at", "next tuesday"], "not a time"),
        (["enqueue", "kheo.noop", "--args", #"{"a": 1}"#, "--max-args-bytes", "4"], "over the limit"),
        (["enqueue", "kheo.noop", "--delay", "-3"], "--delay"),
    ])
    func badInputExitsNonZeroAndInsertsNothing(arguments: [String], message: String) throws {
        try TestDatabase.with(schema: .binary) { db in
            let run = try KheoBinary.run(arguments, environment: ["DATABASE_URL": db.url])
            #expect(run.status != 0)
            #expect(run.output.contains(message), "\(run.output)")
            #expect(try count("SELECT count(*) FROM kheo.all_jobs", in: db) == 0)
        }
    }

    @Test func invalidUTF8ArgsAreRefused() throws {
        try TestDatabase.with(schema: .binary) { db in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("kheo-bad-\(UUID().uuidString).json")
            try Data([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D]).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let run = try KheoBinary.run(["enqueue", "kheo.noop", "--args-file", file.path], environment: ["DATABASE_URL": db.url])
            #expect(run.status != 0)
            #expect(run.output.contains("not valid UTF-8"), "\(run.output)")
            #expect(try count("SELECT count(*) FROM kheo.all_jobs", in: db) == 0)
        }
    }

    @Test func benchPrintsEveryFigureAndRatio() throws {
        try TestDatabase.with(schema: .binary) { db in
            let run = try KheoBinary.run(["bench", "--quick", "--json", "--backlog", "5000"], environment: ["DATABASE_URL": db.url])
            #expect(run.status == 0, "\(run.output)")
            let start = run.output.firstIndex(of: "{") ?? run.output.startIndex
            let json = try JSONSerialization.jsonObject(with: Data(run.output[start...].utf8)) as? [String: Any]
            for key in ["single_enqueue", "bulk_enqueue", "drain"] {
                let figure = json?[key] as? [String: Any]
                #expect((figure?["jobs_per_second"] as? Double ?? 0) > 0, "\(key)")
                #expect((figure?["ceiling_per_second"] as? Double ?? 0) > 0, "\(key)")
                #expect((figure?["ratio"] as? Double ?? 0) > 0, "\(key)")
            }
            let latency = json?["pickup_latency"] as? [String: Any]
            #expect((latency?["p99_ms"] as? Double ?? 0) > 0)
            let memory = json?["worker_memory"] as? [String: Any]
            #expect((memory?["peak_rss_mb"] as? Double ?? 0) > 0)
            let history = json?["claim_with_history"] as? [String: Any]
            #expect((history?["finished_jobs"] as? Int ?? 0) > 0)
            #expect((history?["ratio"] as? Double ?? 0) > 0)
            #expect(try count("SELECT count(*) FROM kheo.all_jobs", in: db) == 0)
            #expect(try count("SELECT count(*) FROM pg_database WHERE datname LIKE 'kheo_bench_%'", in: db) == 0, "scratch databases are dropped")
        }
    }
}
