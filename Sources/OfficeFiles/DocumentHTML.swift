import Foundation

/// Writes an `OfficeDocument` as one HTML page laid out like the printed document (the
/// heading's two columns, the title, the body, the signature beside "Nơi nhận"), with
/// a print stylesheet for A4 and the guidance's margins.
public enum DocumentHTML {
    public static func write(_ document: OfficeDocument, title: String) -> String {
        let e = escape
        var html = [
            "<!DOCTYPE html>", "<html lang=\"vi\">", "<head>", "<meta charset=\"utf-8\">",
            "<title>\(e(title))</title>", "<style>\(style)</style>", "</head>", "<body>", "<article class=\"document\">",
            "<header class=\"heading\">", "<div class=\"issuer\">",
        ]
        let heading = document.heading
        if !heading.superior.isEmpty { html.append("<p>\(e(heading.superior))</p>") }
        html += [
            "<p><strong>\(e(heading.issuer))</strong></p>", "<p>*</p>", "<p class=\"number\">\(e(heading.number))</p>", "</div>",
            "<div class=\"party\">", "<p><strong><u>ĐẢNG CỘNG SẢN VIỆT NAM</u></strong></p>",
            "<p class=\"date\"><em>\(e(heading.placeAndDate))</em></p>", "</div>", "</header>",
            "<h1>\(e(document.kindTitle))</h1>",
        ]
        if !document.summary.isEmpty { html.append("<p class=\"summary\"><strong>\(e(document.summary))</strong></p>") }
        html.append("<p class=\"rule\">-----</p>")
        for block in document.blocks {
            switch block {
            case .section(let text): html.append("<h2>\(e(text))</h2>")
            case .subsection(let text): html.append("<h3>\(e(text))</h3>")
            case .paragraph(let text): html.append("<p class=\"body\">\(e(text))</p>")
            case .bullets(let lines): html.append("<ul>" + lines.map { "<li>\(e($0))</li>" }.joined() + "</ul>")
            case .table(let table): html.append(self.table(table))
            case .editable: break
            }
        }
        html.append("<footer class=\"closing\">")
        html.append("<div class=\"recipients\"><p><strong><em><u>Nơi nhận:</u></em></strong></p>")
        for (index, name) in document.recipients.enumerated() {
            html.append("<p>- \(e(name))\(index == document.recipients.count - 1 ? "." : ",")</p>")
        }
        html.append("</div><div class=\"signature\">")
        let sign = document.signature
        if !sign.onBehalfOf.isEmpty { html.append("<p><strong>\(e(sign.onBehalfOf))</strong></p>") }
        html += ["<p><strong>\(e(sign.position))</strong></p>", "<p class=\"space\"></p>", "<p><strong>\(e(sign.name))</strong></p>", "</div>"]
        html += ["</footer>", "</article>", "</body>", "</html>"]
        return html.joined(separator: "\n") + "\n"
    }

    static func table(_ table: OfficeDocument.Table) -> String {
        let e = escape
        var html = "<table><thead><tr>" + table.columns.map { "<th scope=\"col\">\(e($0))</th>" }.joined() + "</tr></thead><tbody>"
        for (index, row) in table.rows.enumerated() {
            let total = table.hasTotalRow && index == table.rows.count - 1
            html += total ? "<tr class=\"total\">" : "<tr>"
            for (column, cell) in row.enumerated() {
                if column == 0 {
                    html += "<th scope=\"row\">\(e(cell.reading))</th>"
                } else if case .text(let text) = cell {
                    html += "<td>\(e(text))</td>"
                } else {
                    html += "<td class=\"n\">\(e(cell.reading))</td>"
                }
            }
            html += "</tr>"
        }
        return html + "</tbody></table>"
    }

    static let style = """
        body{margin:0;background:#eee}\
        .document{font-family:"Times New Roman",Times,serif;font-size:14pt;line-height:1.3;background:#fff;color:#000;\
        max-width:165mm;margin:1em auto;padding:20mm 15mm 20mm 30mm}\
        .heading{display:grid;grid-template-columns:2fr 3fr;text-align:center}.heading p{margin:0}\
        .party u{font-size:15pt}.date{margin-top:0.8em!important}\
        h1{font-size:16pt;text-align:center;margin:1.2em 0 0}.summary{text-align:center;margin:0}.rule{text-align:center;margin:0 0 1em}\
        h2,h3{font-size:14pt;margin:0.6em 0 0.3em;text-indent:1cm}p.body{text-align:justify;text-indent:1cm;margin:0 0 0.4em}\
        ul{list-style:none;padding:0;margin:0 0 0.4em}li{text-indent:1cm;text-align:justify}li::before{content:"- "}\
        table{border-collapse:collapse;width:100%;font-size:12pt;margin:0.5em 0 1em}\
        th,td{border:1px solid #000;padding:2px 4px;vertical-align:middle}thead th{text-align:center}\
        tbody th{text-align:left;font-weight:normal}td.n{text-align:right}tr.total th,tr.total td{font-weight:bold}\
        .closing{display:grid;grid-template-columns:1fr 1fr;margin-top:1.5em}.closing p{margin:0}\
        .recipients p{font-size:12pt}.signature{text-align:center}.space{height:5em}\
        @page{size:A4;margin:20mm 15mm 20mm 30mm}\
        @media print{body{background:none}.document{margin:0;padding:0;max-width:none}}
        """

    /// Text made safe for HTML content and quoted attribute values.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}

/// Writes the tables of an `OfficeDocument` as CSV: each table's header and rows, a
/// blank line between tables; counts as plain digits, which every locale reads.
public enum DocumentCSV {
    public static func write(_ document: OfficeDocument) -> String {
        let tables = document.tables.map { table in
            ([table.columns] + table.rows.map { $0.map(\.plain) }).map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n")
        }
        return "\u{FEFF}" + tables.joined(separator: "\r\n\r\n") + (tables.isEmpty ? "" : "\r\n")
    }

    /// RFC 4180 quoting; a field a spreadsheet would run as a formula (a leading =, +,
    /// - or @ that is not a number) is written as text.
    public static func field(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+-@".contains(first), Double(value) == nil { value = "'" + value }
        guard value.contains(where: { ",\"\n\r".contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
