import Dispatch
import Foundation
import KheoTesting
import PostgresClient
import Synchronization
import Testing

/// `kheo migrate` as a user runs it: a separate process, configured by DATABASE_URL.
@Suite struct MigrateCommandTests {
    @Test func twoConcurrentProcessesMigrateSafely() throws {
        try TestDatabase.with(schema: .binary, migrated: false) { db in
            let runs = Mutex<[KheoBinary.Run]>([])
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                do {
                    let run = try KheoBinary.run(["migrate"], environment: ["DATABASE_URL": db.url])
                    runs.withLock { $0.append(run) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 }.isEmpty)
            for run in runs.withLock({ $0 }) { #expect(run.status == 0, "\(run.output)") }
            let rows = try db.pool.query("SELECT line, version, count(*) AS n FROM kheo.schema_migrations GROUP BY line, version")
            #expect(rows.count >= 1)
            for row in rows { #expect(try row.decode("n", as: Int.self) == 1) }
        }
    }

    @Test func aCopiedBinaryStillMigrates() throws {
        try TestDatabase.with(schema: .binary, migrated: false) { db in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kheo-copy-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let copy = directory.appendingPathComponent("kheo").path
            try FileManager.default.copyItem(atPath: try KheoBinary.path(), toPath: copy)

            let run = try KheoBinary.run(["migrate"], environment: ["DATABASE_URL": db.url], executable: copy)
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.contains("0001_kheo_schema"))
            let status = try KheoBinary.run(["migrate", "--status"], environment: ["DATABASE_URL": db.url], executable: copy)
            #expect(status.status == 0)
            #expect(status.output.contains("0001_kheo_schema") && status.output.contains("applied"))
            #expect(!status.output.contains("pending"))
        }
    }

    @Test func anEditedAppliedMigrationStopsTheCommand() throws {
        try TestDatabase.with(schema: .binary, migrated: true) { db in
            // Same effect as editing the file after it ran: the recorded checksum differs.
            try db.pool.query("UPDATE kheo.schema_migrations SET checksum = repeat('0', 64) WHERE version = 1")
            let run = try KheoBinary.run(["migrate"], environment: ["DATABASE_URL": db.url])
            #expect(run.status != 0)
            #expect(run.output.contains("0001_kheo_schema.sql"))
            #expect(run.output.contains("changed after it was applied"))
            let status = try KheoBinary.run(["migrate", "--status"], environment: ["DATABASE_URL": db.url])
            #expect(status.output.contains("CHANGED"))
        }
    }

    @Test func badConnectionSettingsFailClearlyWithoutEchoingSecrets() throws {
        let cases: [(String, String)] = [
            ("mysql://root:topsecret@localhost/db", "must start with postgresql://"),
            ("postgresql://app:topsecret@127.0.0.1:1/db?connect_timeout=2", "could not connect"),
            ("postgresql://app:topsecret@host/db?sslmod=require", "unknown connection parameter 'sslmod'"),
        ]
        for (url, expected) in cases {
            let run = try KheoBinary.run(["migrate"], environment: ["DATABASE_URL": url])
            #expect(run.status != 0, "\(url)")
            #expect(run.output.contains(expected), "\(run.output)")
            #expect(!run.output.contains("topsecret"))
        }
    }
}
