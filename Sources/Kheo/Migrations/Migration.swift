/// One schema change from `sql/`, applied once, in version order.
///
/// The embedded list (`Migration.embedded`) is generated at build time from the
/// package's `sql/NNNN_name.sql` files, so a binary carries its schema wherever it is
/// copied.
public struct Migration: Sendable, Hashable {
    /// The number before the underscore in the file name.
    public let version: Int
    /// The file name without `.sql`, e.g. `0001_kheo_schema`.
    public let name: String
    /// The file's text, exactly as it was at build time.
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// The file name, as people see it in `sql/`.
    public var fileName: String { "\(name).sql" }
}
