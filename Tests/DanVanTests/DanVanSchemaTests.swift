import DanVan
import Kheo
import Testing

@Suite("Domain schema")
struct DanVanSchemaTests {
    /// `sql/` and `sql/danvan/` share one sequence of versions: a number used twice would
    /// make one history table order two different migrations as one.
    @Test func engineAndDomainMigrationsShareOneSequence() {
        let versions = DanVanSchema.all.map(\.version)
        #expect(Set(versions).count == versions.count, "a version is used in both sql/ and sql/danvan/: \(versions)")
        #expect(versions == versions.sorted())
        #expect(!DanVanSchema.migrations.isEmpty)
        #expect(DanVanSchema.migrations.allSatisfy { !Migration.embedded.contains($0) })
        #expect(DanVanSchema.migrations.allSatisfy { $0.sql.contains("danvan.") }, "domain migrations touch the danvan schema")
    }
}
