/// Why `kheo migrate` refused to run: the database and this binary disagree about the
/// schema's history. Nothing was applied when this is thrown.
public struct MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// An applied migration's file was edited after it ran.
        case changedAfterApplying(line: String, version: Int, name: String)
        /// The database has a migration of one of this binary's lines that the binary
        /// does not carry (a newer kheo ran it).
        case unknownApplied(line: String, version: Int, name: String)
        /// A migration numbered below the newest applied one of its line has never run.
        case outOfOrder(line: String, version: Int, name: String, newestApplied: Int)
    }

    public let reason: Reason

    public init(reason: Reason) { self.reason = reason }

    public var description: String {
        switch reason {
        case .changedAfterApplying(let line, let version, let name):
            "migration sql/\(line)/\(name).sql (version \(version) of line \(line)) was changed after it was applied to this database. "
                + "Restore the file as it was, and put the change in a new migration with the next number."
        case .unknownApplied(let line, let version, let name):
            "this database has migration \(name) (version \(version) of line \(line)), which this kheo binary does not carry. "
                + "A newer kheo migrated it: run that version, or upgrade this binary."
        case .outOfOrder(let line, let version, let name, let newestApplied):
            "migration sql/\(line)/\(name).sql (version \(version)) has never been applied, but version \(newestApplied) of line \(line) already is. "
                + "Renumber it after \(newestApplied) so the line applies in order everywhere."
        }
    }
}
