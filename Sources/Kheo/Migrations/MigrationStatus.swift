public import Foundation

/// Where one migration stands in a database.
public struct MigrationStatus: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        /// Applied, and the file is unchanged since.
        case applied(at: Date)
        /// Applied, but the embedded file differs from what ran: `migrate` will refuse.
        case changed(appliedAt: Date)
        /// Not applied yet.
        case pending
        /// Applied by a binary that had a migration this one does not.
        case unknown(appliedAt: Date)
    }

    public let line: String
    public let version: Int
    public let name: String
    public let state: State
}
