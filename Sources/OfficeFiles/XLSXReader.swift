public import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

/// Reads the first worksheet of an .xlsx workbook (SpreadsheetML) as rows of text,
/// each with the row number Excel shows: shared and inline strings as written,
/// numbers as stored (a code typed as 00123 and kept as text stays 00123), booleans as
/// TRUE/FALSE, formulas by their cached value.
///
/// The workbook is a zip of XML parts; the parts read are bounded in size, so a
/// compressed bomb is refused before it is inflated.
public enum XLSXReader {
    /// The largest part inflated (a worksheet of a province's units is well under 5 MB).
    public static let partLimit = 64 << 20

    public static func read(_ data: Data) throws(TableFileError) -> [TableRow] {
        guard data.count <= CSVTable.byteLimit else { throw .tooLarge(bytes: data.count, limit: CSVTable.byteLimit) }
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw .notASpreadsheet("it is not a zip archive")
        }
        let sheetPath = try firstSheetPath(in: archive)
        let strings = try archive.entry(at: "xl/sharedStrings.xml").map { entry throws(TableFileError) in
            try SharedStringsParser.parse(try archive.contents(of: entry))
        } ?? []
        guard let sheet = archive.entry(at: sheetPath) else { throw .notASpreadsheet("no worksheet at \(sheetPath)") }
        return try SheetParser.parse(try archive.contents(of: sheet), strings: strings)
    }

    /// The first sheet in the workbook's order, through the workbook's relationships
    /// (its part name is not always sheet1.xml).
    static func firstSheetPath(in archive: Archive) throws(TableFileError) -> String {
        guard let workbook = archive.entry(at: "xl/workbook.xml") else { throw .notASpreadsheet("no xl/workbook.xml") }
        let attributes = try AttributeCollector.collect(try archive.contents(of: workbook), element: "sheet")
        guard let relation = attributes.first?["r:id"] ?? attributes.first?.first(where: { $0.key.hasSuffix(":id") })?.value else {
            throw .notASpreadsheet("the workbook lists no sheet")
        }
        guard let rels = archive.entry(at: "xl/_rels/workbook.xml.rels") else { return "xl/worksheets/sheet1.xml" }
        let relations = try AttributeCollector.collect(try archive.contents(of: rels), element: "Relationship")
        guard let target = relations.first(where: { $0["Id"] == relation })?["Target"] else {
            throw .notASpreadsheet("the first sheet's part is not in the workbook's relationships")
        }
        return target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
    }
}

extension Archive {
    func entry(at path: String) -> Entry? { self[path] }

    func contents(of entry: Entry) throws(TableFileError) -> Data {
        guard entry.uncompressedSize <= XLSXReader.partLimit else {
            throw .tooLarge(bytes: Int(clamping: entry.uncompressedSize), limit: XLSXReader.partLimit)
        }
        var data = Data()
        do {
            _ = try extract(entry, skipCRC32: false) { chunk in
                data.append(chunk)
                if data.count > XLSXReader.partLimit { throw TableFileError.tooLarge(bytes: data.count, limit: XLSXReader.partLimit) }
            }
        } catch let error as TableFileError {
            throw error
        } catch {
            throw .notASpreadsheet("its part \(entry.path) cannot be inflated")
        }
        return data
    }
}

/// Collects the attributes of every element with one name.
private final class AttributeCollector: NSObject, XMLParserDelegate {
    let element: String
    var found: [[String: String]] = []

    init(element: String) { self.element = element }

    static func collect(_ data: Data, element: String) throws(TableFileError) -> [[String: String]] {
        let collector = AttributeCollector(element: element)
        let parser = XMLParser(data: data)
        parser.delegate = collector
        guard parser.parse() else { throw .notASpreadsheet("a part is not well-formed XML") }
        return collector.found
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
        if name == element || name.hasSuffix(":" + element) { found.append(attributes) }
    }
}

/// The shared strings table: every `<si>`, its runs' text joined.
private final class SharedStringsParser: NSObject, XMLParserDelegate {
    var strings: [String] = []
    var current = ""
    var inText = false
    var inPhonetic = false

    static func parse(_ data: Data) throws(TableFileError) -> [String] {
        let delegate = SharedStringsParser()
        let parser = XMLParser(data: data)
        parser.delegate = delegate
        guard parser.parse() else { throw .notASpreadsheet("its shared strings are not well-formed XML") }
        return delegate.strings
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
        switch name {
        case "si": current = ""
        case "t": inText = !inPhonetic
        case "rPh": inPhonetic = true
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { current += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "si": strings.append(current)
        case "t": inText = false
        case "rPh": inPhonetic = false
        default: break
        }
    }
}

/// A worksheet's `<row>`s and `<c>`ells, placed by their references (A1, C7) so that
/// empty cells Excel leaves out keep their columns.
private final class SheetParser: NSObject, XMLParserDelegate {
    let strings: [String]
    var rows: [TableRow] = []
    var rowNumber = 0
    var cells: [String] = []
    var column = 0
    var type = ""
    var value = ""
    var capturing = false
    var badIndex = false

    init(strings: [String]) { self.strings = strings }

    static func parse(_ data: Data, strings: [String]) throws(TableFileError) -> [TableRow] {
        let delegate = SheetParser(strings: strings)
        let parser = XMLParser(data: data)
        parser.delegate = delegate
        guard parser.parse() else { throw .notASpreadsheet("its worksheet is not well-formed XML") }
        if delegate.badIndex { throw .notASpreadsheet("a cell names a shared string that does not exist") }
        return delegate.rows
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
        switch name {
        case "row":
            rowNumber = attributes["r"].flatMap(Int.init) ?? rowNumber + 1
            cells = []
            column = 0
        case "c":
            column = attributes["r"].flatMap(Self.column(of:)) ?? column
            type = attributes["t"] ?? "n"
            value = ""
        case "v", "t":
            capturing = true
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if capturing { value += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "v", "t":
            capturing = false
        case "c":
            var text = value
            switch type {
            case "s":
                if let index = Int(value), strings.indices.contains(index) { text = strings[index] } else { badIndex = true }
            case "b": text = value == "1" ? "TRUE" : "FALSE"
            case "n": text = Self.number(value)
            default: break
            }
            while cells.count < column { cells.append("") }
            cells.append(text.trimmingCharacters(in: .whitespaces))
            column += 1
        case "row":
            rows.append(TableRow(line: rowNumber, cells: cells))
        default: break
        }
    }

    /// "C7" → 2 (columns from 0).
    static func column(of reference: String) -> Int? {
        var column = 0
        var sawLetter = false
        for scalar in reference.unicodeScalars {
            guard ("A"..."Z").contains(scalar) else { break }
            column = column * 26 + Int(scalar.value - 64)
            sawLetter = true
        }
        return sawLetter ? column - 1 : nil
    }

    /// A stored number as a person typed it: 12 rather than 12.0.
    static func number(_ stored: String) -> String {
        if let value = Double(stored), value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return stored
    }
}
