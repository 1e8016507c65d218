import Kheo
import KheoAPI
import KheoTesting

extension TestSchema {
    /// What `kheo serve` needs (the engine's, the domain's and the API's lines) and the
    /// test kinds' tables.
    static let binary = TestSchema(name: "binary", migrations: KheoAPISchema.all + Migration.testLine)
}
