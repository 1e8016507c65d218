/// Why the test harness could not give a test its database. Tests fail with it; they
/// are never skipped for want of PostgreSQL.
public struct TestHarnessError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
