public import Foundation

/// Writes rows of text as a one-sheet .xlsx workbook: the first row bold and frozen,
/// columns sized to their contents, every cell text (a code like 00123 stays as
/// typed). Excel, LibreOffice and `XLSXReader` open it; `XLSXWorkbook` writes it.
public enum XLSXWriter {
    public static func write(sheet name: String, rows: [[String]]) throws -> Data {
        let sheet = XLSXWorkbook.Sheet(
            name: name, columns: rows.first ?? [],
            rows: rows.dropFirst().map { $0.map { $0.isEmpty ? XLSXWorkbook.Cell.empty : .text($0) } }
        )
        return try XLSXWorkbook(title: name, sheets: [sheet]).write()
    }
}
