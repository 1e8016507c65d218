/// One row of a table read from a file, with the line (CSV) or row number (.xlsx) a
/// person sees in their editor, so an error can name it.
public struct TableRow: Sendable, Equatable {
    public let line: Int
    public let cells: [String]

    public init(line: Int, cells: [String]) {
        self.line = line
        self.cells = cells
    }

    /// Whether every cell is empty: spreadsheets keep blank rows between blocks.
    public var isBlank: Bool { cells.allSatisfy { $0.isEmpty } }
}

/// Why a file could not be read as a table; nothing was imported.
public enum TableFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidUTF8(line: Int)
    case unterminatedQuote(line: Int)
    case tooLarge(bytes: Int, limit: Int)
    case notASpreadsheet(String)

    public var description: String {
        switch self {
        case .invalidUTF8(let line): "line \(line) is not valid UTF-8: save the file as \"CSV UTF-8\""
        case .unterminatedQuote(let line): "the quoted field that starts on line \(line) never ends"
        case .tooLarge(let bytes, let limit): "the file is \(bytes) bytes; at most \(limit) are read"
        case .notASpreadsheet(let why): "not an .xlsx workbook: \(why)"
        }
    }
}
