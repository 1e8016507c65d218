public import Foundation

/// Writes an `OfficeDocument` as a .docx file (WordprocessingML) laid out as the
/// Party's guidance on documents asks (Hướng dẫn 36-HD/VPTW of 03/4/2018): A4, margins
/// of 20 mm top and bottom, 30 mm left (for binding) and 15 mm right; Times New Roman;
/// the heading's two columns, the issuing body with its number on the left and
/// "ĐẢNG CỘNG SẢN VIỆT NAM" underlined with the place and date on the right; the
/// body in 14 pt, justified, first lines indented; the signature on the right with
/// "Nơi nhận" on the left; page numbers at the top centre from the second page.
///
/// Word, LibreOffice and python-docx open the result; no office suite is needed to
/// write it.
public enum DOCXWriter {
    /// Twentieths of a point: A4 and the margins, in millimetres × 56.7.
    static let pageWidth = 11906, pageHeight = 16838
    static let top = 1134, bottom = 1134, left = 1702, right = 851
    /// The width text runs in.
    static var textWidth: Int { pageWidth - left - right }

    public static func write(_ document: OfficeDocument, title: String) throws -> Data {
        let package = try OfficePackage()
        try package.add("[Content_Types].xml", """
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\
            <Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>\
            <Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>\
            <Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>\
            <Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>\
            <Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>\
            </Types>
            """)
        try package.add("_rels/.rels", """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>\
            <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>\
            </Relationships>
            """)
        try package.add("word/_rels/document.xml.rels", """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
            <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>\
            <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>\
            </Relationships>
            """)
        try package.add("word/styles.xml", styles)
        try package.add("word/settings.xml", """
            <w:settings xmlns:w="\(namespace)"><w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/>\
            <w:themeFontLang w:val="vi-VN"/></w:settings>
            """)
        try package.add("word/header1.xml", """
            <w:hdr xmlns:w="\(namespace)"><w:p><w:pPr><w:jc w:val="center"/></w:pPr>\
            <w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>\
            <w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>2</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:hdr>
            """)
        try package.addCoreProperties(title: title)
        try package.add("word/document.xml", body(document))
        return try package.data()
    }

    static let namespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    /// Times New Roman 14 pt throughout, Vietnamese as the language, single spacing
    /// with 6 pt after a paragraph.
    static let styles = """
        <w:styles xmlns:w="\(namespace)"><w:docDefaults><w:rPrDefault><w:rPr>\
        <w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/>\
        <w:sz w:val="28"/><w:szCs w:val="28"/><w:lang w:val="vi-VN"/></w:rPr></w:rPrDefault>\
        <w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>\
        <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>\
        <w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>\
        <w:tblPr><w:tblCellMar><w:left w:w="85" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>\
        </w:styles>
        """

    /// How a run of text looks.
    struct Run {
        var text: String
        var bold = false
        var italic = false
        var underline = false
        /// Points.
        var size = 14.0

        var xml: String {
            var properties = ""
            if bold { properties += "<w:b/><w:bCs/>" }
            if italic { properties += "<w:i/><w:iCs/>" }
            if underline { properties += #"<w:u w:val="single"/>"# }
            if size != 14 { properties += #"<w:sz w:val="\#(Int(size * 2))"/><w:szCs w:val="\#(Int(size * 2))"/>"# }
            return "<w:r>" + (properties.isEmpty ? "" : "<w:rPr>\(properties)</w:rPr>")
                + #"<w:t xml:space="preserve">\#(XMLText.escape(text))</w:t></w:r>"#
        }
    }

    enum Alignment: String { case left, center, right, both }

    static func paragraph(
        _ runs: [Run], align: Alignment = .left, firstLine: Int = 0, before: Int = 0, after: Int = 0, keepNext: Bool = false
    ) -> String {
        var properties = ""
        if keepNext { properties += "<w:keepNext/>" }
        properties += #"<w:spacing w:before="\#(before)" w:after="\#(after)"/>"#
        if firstLine > 0 { properties += #"<w:ind w:firstLine="\#(firstLine)"/>"# }
        properties += #"<w:jc w:val="\#(align.rawValue)"/>"#
        return "<w:p><w:pPr>\(properties)</w:pPr>" + runs.map(\.xml).joined() + "</w:p>"
    }

    static func paragraph(_ text: String, align: Alignment = .left, bold: Bool = false, italic: Bool = false,
                          underline: Bool = false, size: Double = 14, firstLine: Int = 0, before: Int = 0, after: Int = 0,
                          keepNext: Bool = false) -> String {
        paragraph([Run(text: text, bold: bold, italic: italic, underline: underline, size: size)], align: align,
                  firstLine: firstLine, before: before, after: after, keepNext: keepNext)
    }

    /// A table without borders, for the heading and the signature: two columns,
    /// `indent` twentieths of a point left of the text (negative: into the margin).
    static func layoutTable(widths: [Int], cells: [[String]], indent: Int = 0) -> String {
        var xml = "<w:tbl><w:tblPr>" + #"<w:tblW w:w="\#(widths.reduce(0, +))" w:type="dxa"/><w:tblInd w:w="\#(indent)" w:type="dxa"/><w:tblLayout w:type="fixed"/>"#
        xml += #"<w:tblBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>"#
        xml += "</w:tblPr><w:tblGrid>" + widths.map { #"<w:gridCol w:w="\#($0)"/>"# }.joined() + "</w:tblGrid><w:tr>"
        for (width, content) in zip(widths, cells) {
            xml += #"<w:tc><w:tcPr><w:tcW w:w="\#(width)" w:type="dxa"/></w:tcPr>"# + (content.isEmpty ? "<w:p/>" : content.joined()) + "</w:tc>"
        }
        return xml + "</w:tr></w:tbl>"
    }

    static func body(_ document: OfficeDocument) -> String {
        var xml = #"<w:document xmlns:w="\#(namespace)" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>"#
        // The heading: issuer and number on the left, the Party's name and the place
        // and date on the right.
        let heading = document.heading
        var issuerColumn: [String] = []
        if !heading.superior.isEmpty { issuerColumn.append(paragraph(heading.superior, align: .center)) }
        issuerColumn.append(paragraph(heading.issuer, align: .center, bold: true))
        issuerColumn.append(paragraph("*", align: .center))
        issuerColumn.append(paragraph(heading.number, align: .center))
        let partyColumn = [
            paragraph("ĐẢNG CỘNG SẢN VIỆT NAM", align: .center, bold: true, underline: true, size: 15),
            paragraph("", align: .center),
            paragraph(heading.placeAndDate, align: .center, italic: true),
        ]
        // Each column holds its longest line on one line in 14–15 pt ("BAN TUYÊN GIÁO
        // VÀ DÂN VẬN", "ĐẢNG CỘNG SẢN VIỆT NAM", the date line): together they are
        // wider than the text, so the heading reaches 7 mm into the left margin and
        // 6 mm into the right, as letterheads do.
        xml += layoutTable(widths: [4850, 5250], cells: [issuerColumn, partyColumn], indent: -400)
        // The title: the kind, what it is about, and a short rule under it.
        xml += paragraph(document.kindTitle, align: .center, bold: true, size: 16, before: 360)
        if !document.summary.isEmpty { xml += paragraph(document.summary, align: .center, bold: true) }
        xml += paragraph("-----", align: .center, after: 240)
        for block in document.blocks {
            switch block {
            case .section(let text):
                xml += paragraph(text, align: .both, bold: true, firstLine: 567, before: 120, after: 60, keepNext: true)
            case .subsection(let text):
                xml += paragraph(text, align: .both, bold: true, firstLine: 567, before: 60, after: 60, keepNext: true)
            case .paragraph(let text):
                xml += paragraph(text, align: .both, firstLine: 567, after: 120)
            case .bullets(let lines):
                for line in lines { xml += paragraph("- " + line, align: .both, firstLine: 567, after: 60) }
            case .table(let table):
                xml += self.table(table) + paragraph("", after: 120)
            case .editable:
                // `resolved(_:)` replaces these before writing; an unresolved one
                // writes nothing.
                break
            }
        }
        // "Nơi nhận" on the left, the signature on the right.
        var recipients = [paragraph([Run(text: "Nơi nhận:", bold: true, italic: true, underline: true, size: 12)], before: 240)]
        for (index, name) in document.recipients.enumerated() {
            let end = index == document.recipients.count - 1 ? "." : ","
            recipients.append(paragraph("- " + name + end, size: 12))
        }
        var signature: [String] = []
        let sign = document.signature
        if !sign.onBehalfOf.isEmpty { signature.append(paragraph(sign.onBehalfOf, align: .center, bold: true, before: 240)) }
        signature.append(paragraph(sign.position, align: .center, bold: true, before: sign.onBehalfOf.isEmpty ? 240 : 0))
        signature += Array(repeating: paragraph("", align: .center), count: 4)
        signature.append(paragraph(sign.name, align: .center, bold: true))
        xml += layoutTable(widths: [textWidth / 2, textWidth - textWidth / 2], cells: [recipients, signature])
        xml += "<w:sectPr>" + #"<w:headerReference w:type="default" r:id="rId3"/>"#
        xml += #"<w:pgSz w:w="\#(pageWidth)" w:h="\#(pageHeight)"/>"#
        xml += #"<w:pgMar w:top="\#(Self.top)" w:right="\#(Self.right)" w:bottom="\#(Self.bottom)" w:left="\#(Self.left)" w:header="567" w:footer="567" w:gutter="0"/>"#
        // The first page has no page number.
        xml += "<w:titlePg/></w:sectPr>"
        return xml + "</w:body></w:document>"
    }

    /// A bordered table: columns sized by their weights, headers bold and centred (a
    /// point smaller), numbers to the right, a total row in bold; 12 pt, or 11 pt when
    /// more than six columns share the width.
    static func table(_ table: OfficeDocument.Table) -> String {
        let weights = table.columnWeights
        let total = max(weights.reduce(0, +), 1)
        let widths = weights.map { textWidth * $0 / total }
        let size: Double = table.columns.count > 6 ? 11 : 12
        var xml = "<w:tbl><w:tblPr>" + #"<w:tblW w:w="\#(widths.reduce(0, +))" w:type="dxa"/><w:tblLayout w:type="fixed"/>"#
        xml += "<w:tblBorders>" + ["top", "left", "bottom", "right", "insideH", "insideV"].map {
            #"<w:\#($0) w:val="single" w:sz="4" w:space="0" w:color="000000"/>"#
        }.joined() + "</w:tblBorders></w:tblPr>"
        xml += "<w:tblGrid>" + widths.map { #"<w:gridCol w:w="\#($0)"/>"# }.joined() + "</w:tblGrid>"
        func row(_ cells: [(text: String, align: Alignment)], bold: Bool, header: Bool) -> String {
            var xml = "<w:tr>" + (header ? "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>" : "<w:trPr><w:cantSplit/></w:trPr>")
            for (width, cell) in zip(widths, cells) {
                xml += #"<w:tc><w:tcPr><w:tcW w:w="\#(width)" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>"#
                xml += paragraph(cell.text, align: cell.align, bold: bold, size: header ? size - 1 : size) + "</w:tc>"
            }
            return xml + "</w:tr>"
        }
        xml += row(table.columns.map { ($0, .center) }, bold: true, header: true)
        for (index, cells) in table.rows.enumerated() {
            let isTotal = table.hasTotalRow && index == table.rows.count - 1
            xml += row(cells.map { cell in
                if case .text(let text) = cell { return (text, .left) }
                return (cell.reading, .right)
            }, bold: isTotal, header: false)
        }
        return xml + "</w:tbl>"
    }
}
