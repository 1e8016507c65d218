import DanVan
import Kheo
import KheoAPI
import KheoTesting

extension TestSchema {
    /// The engine's line and the domain's, with the clock tests set
    /// (`danvan.simulated_clock`): what the domain's own code needs.
    static let domain = TestSchema(name: "domain", migrations: DanVanSchema.all + DanVanSchema.demoLine)
    /// What the `kheo` binary migrates, the test kinds' tables and the settable clock:
    /// for the tests that run the binary.
    static let binary = TestSchema(name: "binary", migrations: KheoAPISchema.all + Migration.testLine + DanVanSchema.demoLine)
}
