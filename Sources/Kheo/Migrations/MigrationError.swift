/// Why `kheo migrate` refused to run: the database and this binary disagree about the
/// schema's history. Nothing was applied when this is thrown.
public struct MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// An applied migration's file was edited after it ran.
        case changedAfterApplying(version: Int, name: String)
        /// The database has a migration this binary does not carry (a newer kheo ran it).
        case unknownApplied(version: Int, name: String)
        /// A migration numbered below the newest applied one has never run.
        case outOfOrder(version: Int, name: String, newestApplied: Int)
    }

    public let reason: Reason

    public init(reason: Reason) { self.reason = reason }

    public var description: String {
        switch reason {
        case .changedAfterApplying(let version, let name):
            "migration \(name).sql (version \(version)) was changed after it was applied to this database. "
                + "Restore the file as it was, and put the change in a new migration with the next number."
        case .unknownApplied(let version, let name):
            "this database has migration \(name) (version \(version)), which this kheo binary does not carry. "
                + "A newer kheo migrated it: run that version, or upgrade this binary."
        case .outOfOrder(let version, let name, let newestApplied):
            "migration \(name).sql (version \(version)) has never been applied, but version \(newestApplied) already is. "
                + "Renumber it after \(newestApplied) so migrations apply in order everywhere."
        }
    }
}
