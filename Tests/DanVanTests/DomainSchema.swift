import DanVan
import Kheo
import KheoAPI
import KheoTesting

extension TestSchema {
    /// The engine's line and the domain's: what the domain's own code needs.
    static let domain = TestSchema(name: "domain", migrations: DanVanSchema.all)
    /// What the `kheo` binary migrates, and the test kinds' tables: for the tests that
    /// run the binary.
    static let binary = TestSchema(name: "binary", migrations: KheoAPISchema.all + Migration.testLine)
}
