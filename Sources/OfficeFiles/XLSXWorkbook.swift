public import Foundation

/// A workbook of several sheets written as .xlsx (SpreadsheetML), with cells as a
/// spreadsheet keeps them: text as text (a code like 00123 stays as typed), numbers as
/// numbers, totals as formulas with their computed value cached, so a reader without a
/// calculation engine (openpyxl, a preview) sees the same figure Excel and LibreOffice
/// compute. Counts show grouped and shares as percentages, in Vietnamese ("4.819",
/// "57,7%"); rows above the table and its header stay frozen; printed, the columns fit
/// one landscape A4 page's width.
public struct XLSXWorkbook: Sendable {
    public enum Format: Sendable, Equatable {
        /// A whole count, grouped: 4.819.
        case count
        /// A ratio shown as a percentage with one decimal: 0.577 → 57,7%.
        case percent
    }

    public enum Cell: Sendable, Equatable {
        case empty
        case text(String)
        case number(Double, Format)
        /// A formula (without "="), with the value it computes.
        case formula(String, cached: Double?, Format)

        public static func count(_ value: Int) -> Cell { .number(Double(value), .count) }
    }

    public struct Sheet: Sendable {
        public var name: String
        /// Lines above the table (the heading, the title), bold.
        public var titleRows: [String]
        public var columns: [String]
        public var rows: [[Cell]]
        /// Whether the last row is a total, set in bold.
        public var hasTotalRow: Bool

        public init(name: String, titleRows: [String] = [], columns: [String], rows: [[Cell]], hasTotalRow: Bool = false) {
            self.name = name
            self.titleRows = titleRows
            self.columns = columns
            self.rows = rows
            self.hasTotalRow = hasTotalRow
        }

        /// The 1-based row number of table row `index` (0 is the first row under the
        /// header), for formulas.
        public func rowNumber(_ index: Int) -> Int { titleRows.count + (titleRows.isEmpty ? 0 : 1) + 2 + index }
    }

    public var title: String
    public var sheets: [Sheet]

    public init(title: String, sheets: [Sheet]) {
        self.title = title
        self.sheets = sheets
    }

    /// 0 → "A", 27 → "AB".
    public static func column(_ index: Int) -> String {
        var column = index + 1
        var letters = ""
        while column > 0 {
            let rest = (column - 1) % 26
            letters = String(UnicodeScalar(UInt8(65 + rest))) + letters
            column = (column - 1) / 26
        }
        return letters
    }

    /// Style indexes in `styles` below.
    enum Style: Int {
        case general = 0, header, text, count, percent, totalText, totalCount, totalPercent, title
    }

    public func write() throws -> Data {
        let package = try OfficePackage()
        let names = uniqueNames()
        try package.add("[Content_Types].xml", """
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\
            <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
            \(sheets.indices.map { #"<Override PartName="/xl/worksheets/sheet\#($0 + 1).xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"# }.joined())\
            <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
            <Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>\
            </Types>
            """)
        try package.add("_rels/.rels", """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
            <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>\
            </Relationships>
            """)
        // Formulas are recalculated when the file is opened (the cached values are
        // for readers that do not calculate).
        try package.add("xl/workbook.xml", """
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>\
            \(names.enumerated().map { #"<sheet name="\#(XMLText.escape($0.element))" sheetId="\#($0.offset + 1)" r:id="rId\#($0.offset + 1)"/>"# }.joined())\
            </sheets><calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>
            """)
        try package.add("xl/_rels/workbook.xml.rels", """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            \(sheets.indices.map { #"<Relationship Id="rId\#($0 + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet\#($0 + 1).xml"/>"# }.joined())\
            <Relationship Id="rId\(sheets.count + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
            </Relationships>
            """)
        try package.add("xl/styles.xml", Self.styles)
        try package.addCoreProperties(title: title)
        for (index, sheet) in sheets.enumerated() {
            try package.add("xl/worksheets/sheet\(index + 1).xml", Self.worksheet(sheet))
        }
        return try package.data()
    }

    /// Sheet names as Excel allows them: at most 31 characters, none of : \ / ? * [ ],
    /// unique regardless of case.
    func uniqueNames() -> [String] {
        var used: Set<String> = []
        return sheets.enumerated().map { index, sheet in
            var base = String(sheet.name.filter { !":\\/?*[]".contains($0) }.prefix(31))
            if base.isEmpty { base = "Sheet\(index + 1)" }
            var name = base
            var counter = 2
            while !used.insert(name.lowercased()).inserted {
                let suffix = " (\(counter))"
                name = String(base.prefix(31 - suffix.count)) + suffix
                counter += 1
            }
            return name
        }
    }

    /// Fonts: 0 Times New Roman 12, 1 bold, 2 bold 14. Number formats: 164 a grouped
    /// count, 165 a percentage with one decimal, both tagged Vietnamese ([$-42A]) so
    /// LibreOffice writes "." between thousands and "," before decimals whatever the
    /// reader's locale; Excel follows the reader's own settings, which in Vietnam are
    /// the same. Borders: 1 thin on every side, for the table's cells.
    static let styles = """
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
        <numFmts count="2"><numFmt numFmtId="164" formatCode="[$-42A]#,##0"/><numFmt numFmtId="165" formatCode="[$-42A]0.0%"/></numFmts>\
        <fonts count="3"><font><sz val="12"/><name val="Times New Roman"/></font><font><b/><sz val="12"/><name val="Times New Roman"/></font>\
        <font><b/><sz val="14"/><name val="Times New Roman"/></font></fonts>\
        <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
        <borders count="2"><border/><border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/></border></borders>\
        <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
        <cellXfs count="9">\
        <xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
        <xf numFmtId="49" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" applyNumberFormat="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>\
        <xf numFmtId="49" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyNumberFormat="1"/>\
        <xf numFmtId="164" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyNumberFormat="1"/>\
        <xf numFmtId="165" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyNumberFormat="1"/>\
        <xf numFmtId="49" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" applyNumberFormat="1"/>\
        <xf numFmtId="164" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" applyNumberFormat="1"/>\
        <xf numFmtId="165" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" applyNumberFormat="1"/>\
        <xf numFmtId="49" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/>\
        </cellXfs>\
        <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
        """

    static func worksheet(_ sheet: Sheet) -> String {
        // Title rows, a blank row after them, the header, then the table.
        var grid: [[(Cell, Style)]] = sheet.titleRows.map { [(.text($0), .title)] }
        if !sheet.titleRows.isEmpty { grid.append([]) }
        grid.append(sheet.columns.map { (.text($0), .header) })
        let headerRow = grid.count
        for (index, row) in sheet.rows.enumerated() {
            let total = sheet.hasTotalRow && index == sheet.rows.count - 1
            grid.append(row.map { cell in
                switch cell {
                case .empty, .text: (cell, total ? .totalText : .text)
                case .number(_, let format), .formula(_, _, let format):
                    (cell, format == .count ? (total ? .totalCount : .count) : (total ? .totalPercent : .percent))
                }
            })
        }
        var widths = [Int](repeating: 6, count: max(sheet.columns.count, 1))
        for row in grid.dropFirst(sheet.titleRows.count) {
            for (column, entry) in row.enumerated() where column < widths.count {
                let length: Int
                switch entry.0 {
                // A header wraps: its longest word sets the width.
                case .text(let text) where entry.1 == .header:
                    length = text.split(separator: " ").map(\.count).max() ?? 0
                case .text(let text): length = text.count
                default: length = 7
                }
                widths[column] = min(45, max(widths[column], length + 2))
            }
        }
        var xml = #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#
        xml += #"<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>"#
        xml += #"<sheetViews><sheetView workbookViewId="0"><pane ySplit="\#(headerRow)" topLeftCell="A\#(headerRow + 1)" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#
        xml += "<cols>" + widths.enumerated().map { #"<col min="\#($0.offset + 1)" max="\#($0.offset + 1)" width="\#($0.element)" customWidth="1"/>"# }.joined() + "</cols>"
        xml += "<sheetData>"
        // The header wraps within its columns: its row is as tall as its longest
        // heading needs (a spreadsheet does not grow a row for wrapped text itself).
        let headerLines = zip(sheet.columns, widths).map { text, width in
            var lines = 1, used = 0
            for word in text.split(separator: " ") {
                if used > 0, used + 1 + word.count > width - 1 { lines += 1; used = word.count } else { used += (used > 0 ? 1 : 0) + word.count }
            }
            return lines
        }.max() ?? 1
        for (index, row) in grid.enumerated() {
            let number = index + 1
            xml += number == headerRow && headerLines > 1
                ? #"<row r="\#(number)" ht="\#(headerLines * 16 + 2)" customHeight="1">"#
                : #"<row r="\#(number)">"#
            for (column, (cell, style)) in row.enumerated() {
                let reference = "\(Self.column(column))\(number)"
                switch cell {
                case .empty:
                    xml += #"<c r="\#(reference)" s="\#(style.rawValue)"/>"#
                case .text(let text):
                    xml += #"<c r="\#(reference)" t="inlineStr" s="\#(style.rawValue)"><is><t xml:space="preserve">\#(XMLText.escape(text))</t></is></c>"#
                case .number(let value, _):
                    xml += #"<c r="\#(reference)" s="\#(style.rawValue)"><v>\#(Self.number(value))</v></c>"#
                case .formula(let formula, let cached, _):
                    xml += #"<c r="\#(reference)" s="\#(style.rawValue)"><f>\#(XMLText.escape(formula))</f>"#
                        + (cached.map { "<v>\(Self.number($0))</v>" } ?? "") + "</c>"
                }
            }
            xml += "</row>"
        }
        xml += "</sheetData>"
        xml += #"<printOptions horizontalCentered="1"/><pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>"#
        xml += #"<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>"#
        return xml + "</worksheet>"
    }

    /// A number as SpreadsheetML stores it: "." as the decimal point, no grouping.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
