import Kheo
import KheoAPI
import KheoTesting

extension TestSchema {
    /// What the `kheo` binary migrates, and the test kinds' tables: for the tests
    /// that run the binary. The engine's own tests use `.engine`.
    static let binary = TestSchema(name: "binary", migrations: KheoAPISchema.all + Migration.testLine)
}
