extension XLSXWorkbook {
    /// A workbook with one sheet per table of `document`, each headed by the issuing
    /// body, the number and date line and the title. Counts are numbers; a total row
    /// sums the rows above it with `SUM`, and a ratio column divides with a formula
    /// (0 when nothing is counted), each with its value cached.
    public init(document: OfficeDocument, title: String) {
        let heading = [
            [document.heading.superior, document.heading.issuer].filter { !$0.isEmpty }.joined(separator: " – "),
            document.heading.number + "    " + document.heading.placeAndDate,
            document.kindTitle + " " + document.summary,
        ]
        let sheets = document.tables.map { table in
            var sheet = Sheet(name: table.title, titleRows: heading + (table.title.isEmpty ? [] : [table.title]), columns: table.columns, rows: [])
            let ratios = Dictionary(uniqueKeysWithValues: table.ratios.map { ($0.column, $0) })
            let lastData = table.rows.count - (table.hasTotalRow ? 1 : 0)
            sheet.rows = table.rows.enumerated().map { index, cells in
                let row = sheet.rowNumber(index)
                let isTotal = table.hasTotalRow && index == table.rows.count - 1
                return cells.enumerated().map { column, cell -> Cell in
                    if let ratio = ratios[column] {
                        let numerator = "\(Self.column(ratio.numerator))\(row)", denominator = "\(Self.column(ratio.denominator))\(row)"
                        let value = { (cell: OfficeDocument.Cell?) -> Double in
                            if case .number(let value)? = cell { value } else { 0 }
                        }
                        let bottom = value(cells.indices.contains(ratio.denominator) ? cells[ratio.denominator] : nil)
                        let top = value(cells.indices.contains(ratio.numerator) ? cells[ratio.numerator] : nil)
                        return .formula("IF(\(denominator)=0,0,\(numerator)/\(denominator))", cached: bottom == 0 ? 0 : top / bottom, .percent)
                    }
                    switch cell {
                    case .text(let text): return .text(text)
                    case .percent(let value): return .number((value ?? 0) / 100, .percent)
                    case .number(let value):
                        guard isTotal, lastData > 0 else { return .number(value, .count) }
                        let letter = Self.column(column)
                        let sum = table.rows.prefix(lastData).reduce(0.0) { total, cells in
                            if cells.indices.contains(column), case .number(let value) = cells[column] { total + value } else { total }
                        }
                        return .formula("SUM(\(letter)\(sheet.rowNumber(0)):\(letter)\(sheet.rowNumber(lastData - 1)))", cached: sum, .count)
                    }
                }
            }
            sheet.hasTotalRow = table.hasTotalRow
            return sheet
        }
        self.init(title: title, sheets: sheets)
    }
}
