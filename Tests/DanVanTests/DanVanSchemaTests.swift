import DanVan
import Kheo
import KheoAPI
import KheoTesting
import PostgresClient
import Testing

@Suite struct DanVanSchemaTests {
    static let lines: [(name: String, migrations: [Migration])] = [
        ("kheo", Migration.engine), ("kheo_test", Migration.testLine), ("danvan", DanVanSchema.migrations), ("danvan_demo", DanVanSchema.demoLine),
        ("kheo_api", KheoAPISchema.migrations),
    ].map { ($0.0, $0.1.filter { !$0.isFunction }) }

    /// Each module numbers its own line: from 1, without gaps, every migration
    /// carrying its line's name.
    @Test func eachLineCountsFromOneWithoutGaps() {
        for line in Self.lines {
            #expect(!line.migrations.isEmpty, "line \(line.name) is empty")
            #expect(line.migrations.map(\.version) == Array(1...line.migrations.count), "line \(line.name): \(line.migrations.map(\.name))")
            #expect(line.migrations.allSatisfy { $0.line == line.name })
        }
    }

    /// A history written before schema lines is matched to migrations by the name after
    /// the number, so that name must be unique across every line.
    @Test func theNameAfterTheNumberIsUniqueAcrossLines() {
        let slugs = Self.lines.flatMap(\.migrations).map(\.slug)
        #expect(Set(slugs).count == slugs.count, "\(slugs.sorted())")
    }

    /// One direction of dependency: the engine's line never names the domain's schema;
    /// the domain's and the API's lines only add to it.
    @Test func theEngineLineKnowsNothingOfTheDomain() {
        for migration in Migration.engine + Migration.testLine {
            #expect(!migration.sql.contains("danvan."), "\(migration.fileName) reaches into the domain")
        }
        for migration in DanVanSchema.migrations + DanVanSchema.demoLine + KheoAPISchema.migrations {
            #expect(migration.sql.contains("danvan."), "\(migration.fileName) does not touch the danvan schema")
        }
        #expect(KheoAPISchema.all.map(\.line).reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } } == ["kheo", "danvan", "kheo_api"])
    }

    /// What `kheo migrate` builds has no settable clock: `danvan.now()` is the
    /// database's. The demo's line brings the clock back, and with it the simulated
    /// instant; without a row it is the real time again.
    @Test func onlyTheDemoLineMakesTheClockSettable() throws {
        let production = TestSchema(name: "production", migrations: KheoAPISchema.all)
        try TestDatabase.with(schema: production) { db in
            let row = try db.pool.query(
                "SELECT to_regclass('danvan.simulated_clock') IS NULL AS absent, danvan.now() = now() AS real"
            ).single()
            #expect(try row.decode("absent", as: Bool.self) && row.decode("real", as: Bool.self))
        }
        try TestDatabase.with(schema: .binary) { db in
            #expect(try db.pool.query("SELECT danvan.now() = now() AS real").single().decode("real", as: Bool.self))
            try db.pool.query("INSERT INTO danvan.simulated_clock (now) VALUES ('2025-07-01 08:00+07')")
            let today = try db.pool.query("SELECT danvan.today()::text AS today").single().decode("today", as: String.self)
            #expect(today == "2025-07-01")
        }
    }
}
