import DanVan
import Kheo
import KheoAPI
import Testing

@Suite struct DanVanSchemaTests {
    static let lines: [(name: String, migrations: [Migration])] = [
        ("kheo", Migration.engine), ("kheo_test", Migration.testLine), ("danvan", DanVanSchema.migrations), ("kheo_api", KheoAPISchema.migrations),
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
        for migration in DanVanSchema.migrations + KheoAPISchema.migrations {
            #expect(migration.sql.contains("danvan."), "\(migration.fileName) does not touch the danvan schema")
        }
        #expect(KheoAPISchema.all.map(\.line).reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } } == ["kheo", "danvan", "kheo_api"])
    }
}
