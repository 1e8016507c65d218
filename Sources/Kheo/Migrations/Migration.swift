/// One schema change, applied once, in version order within its line.
///
/// A schema line is one module's own sequence of migrations (`sql/<line>/`): the
/// engine's `kheo`, the test kit's `kheo_test`, the domain's `danvan`, the API's
/// `kheo_api`. Each numbers its files itself, so a module can add a migration without
/// knowing the others'; a line may depend on lines listed before it, never after.
/// The lists are generated at build time from the files, so a binary carries its
/// schema wherever it is copied.
public struct Migration: Sendable, Hashable {
    /// The schema line it belongs to: the folder under `sql/`.
    public let line: String
    /// The number before the underscore in the file name.
    public let version: Int
    /// The file name without `.sql`, e.g. `0001_kheo_schema`.
    public let name: String
    /// The file's text, exactly as it was at build time.
    public let sql: String
    /// A function file (`sql/<line>/functions/name.sql`) rather than a numbered change:
    /// it is applied after the numbered ones, and again whenever its text changes, so a
    /// function other languages call is edited in place instead of re-created whole in a
    /// new migration. Its `version` is 0; its `name` is `functions/name`.
    public let isFunction: Bool

    public init(line: String, version: Int, name: String, sql: String) {
        self.line = line
        self.version = version
        self.name = name
        self.sql = sql
        self.isFunction = false
    }

    /// A function file of `line`, named `functions/<name>`.
    public init(line: String, function name: String, sql: String) {
        self.line = line
        self.version = 0
        self.name = name
        self.sql = sql
        self.isFunction = true
    }

    /// The file, as people see it: `sql/<line>/<name>.sql`.
    public var fileName: String { "sql/\(line)/\(name).sql" }

    /// The name without its number: the same whatever the migration's version. Matches
    /// a migration to the row a binary from before schema lines recorded for it.
    public var slug: String { Self.slug(of: name) }

    /// The name without its number, for any file name: `0019_jobs_by_tag` → `jobs_by_tag`.
    static func slug(of name: String) -> String {
        guard let underscore = name.firstIndex(of: "_") else { return name }
        return String(name[name.index(after: underscore)...])
    }
}
