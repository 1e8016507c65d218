import Foundation

/// Renders a unit's figures for a period as a Vietnamese report, in HTML (to read and
/// print) and CSV (to open in a spreadsheet). Pure: the same figures give the same
/// bytes.
public struct ReportRenderer: Sendable {
    /// One line of the table: the unit itself first, then each unit directly under it.
    public struct Row: Sendable, Equatable {
        public var unitName: String
        public var figures: [Model.Field?: StatisticsFigures]

        public init(unitName: String, figures: [Model.Field?: StatisticsFigures]) {
            self.unitName = unitName
            self.figures = figures
        }
    }

    public var unitName: String
    public var periodName: String
    public var periodKind: String
    public var rows: [Row]

    public init(unitName: String, periodName: String, periodKind: String, rows: [Row]) {
        self.unitName = unitName
        self.periodName = periodName
        self.periodKind = periodKind
        self.rows = rows
    }

    /// The title line, in capitals: "BÁO CÁO SƠ KẾT …" for a six-month period, "BÁO CÁO
    /// TỔNG KẾT …" otherwise, the movement's name in typographic quotes.
    public var title: String {
        let word = periodKind == "six_month" ? "sơ kết" : "tổng kết"
        return VietnameseStyle.titleLine("Báo cáo \(word) \(periodName) phong trào thi đua \(VietnameseStyle.movement) – \(unitName)")
    }

    static let columns = [
        "Đơn vị", "Mô hình đăng ký", "Kinh tế", "Văn hóa – Xã hội", "Quốc phòng – An ninh", "Xây dựng hệ thống chính trị",
        "Tập thể", "Cá nhân", "Được công nhận", "Tỷ lệ công nhận (%)", "Được biểu dương", "Nhiệm vụ đúng hạn", "Nhiệm vụ trễ hạn", "Nhiệm vụ quá hạn",
    ]

    /// One row's cells. For reading (HTML) counts are grouped as documents write them
    /// (1.334); for a spreadsheet (CSV) they stay plain digits, which every locale
    /// reads as the number.
    func cells(_ row: Row, forReading: Bool) -> [String] {
        let total = row.figures[nil]
        let show = { (value: Int) in forReading ? VietnameseStyle.number(value) : String(value) }
        func count(_ field: Model.Field) -> String { show(row.figures[field]?.modelsRegistered ?? 0) }
        let rate = total?.recognitionRate.map { VietnameseStyle.decimal($0) } ?? "–"
        return [
            row.unitName, show(total?.modelsRegistered ?? 0), count(.economy), count(.cultureSociety), count(.defenceSecurity),
            count(.politicalSystem), show(total?.collective ?? 0), show(total?.individual ?? 0), show(total?.modelsRecognised ?? 0),
            rate, show(total?.modelsCommended ?? 0), show(total?.deadlinesMet ?? 0), show(total?.deadlinesMetLate ?? 0),
            show(total?.deadlinesOverdue ?? 0),
        ]
    }

    public var html: String {
        var lines = [
            "<!DOCTYPE html>", "<html lang=\"vi\">", "<head>", "<meta charset=\"utf-8\">",
            "<title>\(Self.escape(title))</title>",
            "<style>body{font-family:serif;margin:2em}table{border-collapse:collapse}th,td{border:1px solid #444;padding:4px 8px}td{text-align:right}td:first-child{text-align:left}</style>",
            "</head>", "<body>", "<h1>\(Self.escape(title))</h1>",
        ]
        if let total = rows.first?.figures[nil] {
            let rate = total.recognitionRate.map { VietnameseStyle.decimal($0) } ?? "–"
            let number = VietnameseStyle.number
            lines.append(
                "<p>Trong \(Self.escape(periodName.lowercased())), toàn \(Self.escape(VietnameseStyle.midSentence(unitName))) có "
                    + "\(number(total.modelsRegistered)) mô hình \(VietnameseStyle.movement) đăng ký, \(number(total.modelsRecognised)) mô hình "
                    + "được công nhận (tỷ lệ \(rate)%), \(number(total.modelsCommended)) mô hình được biểu dương.</p>"
            )
        }
        lines.append("<table>")
        lines.append("<tr>" + Self.columns.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr>")
        for row in rows { lines.append("<tr>" + cells(row, forReading: true).map { "<td>\(Self.escape($0))</td>" }.joined() + "</tr>") }
        lines += ["</table>", "</body>", "</html>"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// RFC 4180, CRLF line ends, UTF-8 with a byte-order mark so spreadsheets read the
    /// diacritics right.
    public var csv: String {
        let lines = [Self.columns] + rows.map { cells($0, forReading: false) }
        return "\u{FEFF}" + lines.map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// Text made safe for HTML content and quoted attribute values (the five
    /// characters that matter); the web console escapes with it too.
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

    static func csvField(_ text: String) -> String {
        var value = text
        // A leading =, +, - or @ would run as a formula in a spreadsheet: make it text.
        if let first = value.first, "=+-@".contains(first), Double(value) == nil { value = "'" + value }
        guard value.contains(where: { ",\"\n\r".contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
