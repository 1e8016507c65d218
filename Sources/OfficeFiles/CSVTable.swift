public import Foundation

/// CSV as offices save it (RFC 4180): a UTF-8 byte-order mark, quoted fields with
/// doubled quotes and line breaks inside, CRLF or LF, and the separator Excel uses in
/// the locale (a comma, or a semicolon where the comma is the decimal mark, as in
/// Vietnamese), told from the first line.
public enum CSVTable {
    /// The largest file read: a province's units are a few hundred kilobytes.
    public static let byteLimit = 10 << 20

    public static func read(_ data: Data) throws(TableFileError) -> [TableRow] {
        guard data.count <= byteLimit else { throw .tooLarge(bytes: data.count, limit: byteLimit) }
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let firstLine = bytes.prefix { $0 != UInt8(ascii: "\n") }
        let separator: UInt8 = firstLine.contains(UInt8(ascii: ";")) && !firstLine.contains(UInt8(ascii: ",")) ? UInt8(ascii: ";") : UInt8(ascii: ",")
        let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), ret = UInt8(ascii: "\r")

        var rows: [TableRow] = []
        var cells: [String] = []
        var field: [UInt8] = []
        var line = 1, rowLine = 1, quoteLine = 1
        var inQuotes = false, wasQuoted = false
        var index = 0

        func endField() throws(TableFileError) {
            guard let text = String(validating: field, as: UTF8.self) else { throw .invalidUTF8(line: line) }
            cells.append(wasQuoted ? text : text.trimmingCharacters(in: .whitespaces))
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inQuotes {
                if byte == quote {
                    if index < bytes.count, bytes[index] == quote {
                        field.append(quote)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == newline { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case quote where field.allSatisfy({ $0 == UInt8(ascii: " ") }):
                field.removeAll()
                inQuotes = true
                wasQuoted = true
                quoteLine = line
            case separator:
                try endField()
            case ret where index < bytes.count && bytes[index] == newline:
                continue
            case newline, ret:
                try endField()
                rows.append(TableRow(line: rowLine, cells: cells))
                cells.removeAll()
                line += 1
                rowLine = line
            default:
                field.append(byte)
            }
        }
        if inQuotes { throw .unterminatedQuote(line: quoteLine) }
        if !field.isEmpty || !cells.isEmpty {
            try endField()
            rows.append(TableRow(line: rowLine, cells: cells))
        }
        return rows
    }

    /// The rows as CSV UTF-8 with a byte-order mark (so Excel reads the diacritics),
    /// CRLF line ends, and quotes only where a field needs them.
    public static func write(_ rows: [[String]]) -> Data {
        var text = "\u{FEFF}"
        for row in rows {
            text += row.map { field in
                field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == ";" })
                    || field.first == " " || field.last == " "
                    ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
            }.joined(separator: ",")
            text += "\r\n"
        }
        return Data(text.utf8)
    }
}
