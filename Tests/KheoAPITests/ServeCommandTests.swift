import DanVan
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KheoAPI
import KheoTesting
import PostgresClient
import Testing

/// `kheo serve --workers` as a process: it serves, its worker runs what it accepted, and
/// SIGTERM stops both cleanly.
@Suite("kheo serve")
struct ServeCommandTests {
    /// How `kheo serve` reaches PostgreSQL: directly, or through PgBouncer in
    /// transaction mode with or without a direct connection to listen on.
    enum Route: String, CaseIterable, CustomTestStringConvertible {
        case direct, pgBouncerWithListener, pgBouncerPolling
        var testDescription: String { rawValue }

        func environment(_ db: TestDatabase) throws -> [String: String] {
            switch self {
            case .direct: ["DATABASE_URL": db.url]
            case .pgBouncerWithListener: ["DATABASE_URL": try db.throughPgBouncer().url, "KHEO_LISTEN_URL": db.url]
            case .pgBouncerPolling: ["DATABASE_URL": try db.throughPgBouncer().url]
            }
        }
    }

    @Test(arguments: Route.allCases) func servesRunsTheJobsAndStopsOnSIGTERM(route: Route) async throws {
        try await TestDatabase.with(schema: .binary) { db in
            let unit: Int64 = try db.pool.query(
                "INSERT INTO danvan.units (kind, name) VALUES ('province', 'Vĩnh Long') RETURNING id"
            ).single().decode("id")
            let token = try APITokens().create(unit: unit, role: .editor, on: db.pool).token
            let (serve, bound) = try await APIHarness.startServe(
                db, ["--workers", "--queue", "default=4", "--grace", "5"], environment: try route.environment(db)
            )
            defer { if serve.isRunning { serve.send(SIGKILL) } }
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(bound)/v1/jobs")!)
            request.httpMethod = "POST"
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(#"{"jobs": [{"kind": "kheo.noop"}, {"kind": "kheo.noop", "args": {"n": 2}}]}"#.utf8)
            let (_, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 201)
            var completed: Int64 = 0
            for _ in 0..<200 where completed < 2 {
                completed = try db.pool.query("SELECT count(*) AS n FROM kheo.all_jobs WHERE state = 'completed'").single().decode("n")
                // Polls the table: a worker in another process reports nothing else.
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(completed == 2, "the in-process worker ran both jobs")
            // A revoked token stops working at once, cached or not.
            try db.pool.query("UPDATE danvan.api_tokens SET revoked_at = now()")
            try await Task.sleep(for: .milliseconds(200))
            let (_, refused) = try await URLSession.shared.data(for: request)
            #expect((refused as? HTTPURLResponse)?.statusCode == 401, "\(serve.output.suffix(2000))")
            serve.send(SIGTERM)
            let status = try serve.wait(timeout: .seconds(30))
            #expect(status == 0, "a clean stop on SIGTERM: \(serve.output.suffix(2000))")
        }
    }
}
