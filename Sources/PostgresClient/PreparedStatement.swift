/// A named statement, prepared once per connection and then executed by name.
///
/// Preparing saves the server parsing and planning the SQL on every call, and the name
/// is what appears in errors, so keep names stable and meaningful
/// (`kheo.jobs.claim`). The SQL is fixed program text; values go in parameters.
public struct PreparedStatement: Sendable, Hashable {
    public let name: String
    public let sql: String

    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }
}
