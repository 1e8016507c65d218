public import OfficeFiles

/// Why a unit list was refused. Nothing of it was stored: an import is all or nothing.
public enum UnitImportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One bad row: its line (CSV) or row number (.xlsx), and what to change.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public let line: Int
        public let reason: String

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }

        public var description: String { "line \(line): \(reason)" }
    }

    case unreadable(TableFileError)
    case missingColumns([String])
    case empty
    /// Every bad row, in line order.
    case rejected([Problem])

    public var lines: [Int] {
        if case .rejected(let problems) = self { return problems.map(\.line) }
        return []
    }

    public var description: String {
        switch self {
        case .unreadable(let error): "the file cannot be read: \(error)"
        case .missingColumns(let columns):
            "the header row has no \(columns.joined(separator: " or ")) column: the first row names the columns (Mã, Tên đơn vị, Loại, Đơn vị cấp trên, Mã cấp trên)"
        case .empty: "the file has a header but no unit"
        case .rejected(let problems):
            "nothing was imported; \(problems.count) row\(problems.count == 1 ? "" : "s") to fix:\n"
                + problems.map { "  \($0)" }.joined(separator: "\n")
        }
    }
}
