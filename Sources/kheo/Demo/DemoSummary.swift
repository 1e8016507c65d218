import DanVan
import Foundation
import PostgresClient

/// The end of the demo: the year's figures per district from the current statistics
/// snapshot (the one the reports were built from), and the reports written to files.
struct DemoSummary {
    let connection: PostgresConnection
    let outcome: DemoRun.Outcome

    func printTable() throws {
        guard let year = outcome.periods[.year] else { return }
        var lines = [["unit", "economy", "cult-soc", "def-sec", "political", "models", "recognised", "rate", "visits done", "met", "late", "overdue", "reminders"]]
        for unit in outcome.province.districts.map(\.unit) + [outcome.province.unit] {
            let figures = Dictionary(uniqueKeysWithValues: try StatisticsFigures.read(unit: unit.id, period: year, on: connection).map { ($0.field, $0) })
            let all = figures[nil]
            let reminders = try connection.query(
                """
                SELECT count(*) AS n FROM danvan.notifications AS n JOIN danvan.units AS u ON u.id = n.unit_id
                WHERE n.kind = 'deadline.reminder' AND u.path @> ARRAY[$1::bigint]
                """,
                unit.id
            ).single().decode("n", as: Int64.self)
            let count = { (field: Model.Field) in String(figures[field]?.modelsRegistered ?? 0) }
            lines.append([
                unit.id == outcome.province.unit.id ? "Toàn tỉnh" : unit.name,
                count(.economy), count(.cultureSociety), count(.defenceSecurity), count(.politicalSystem),
                String(all?.modelsRegistered ?? 0), String(all?.modelsRecognised ?? 0),
                all?.recognitionRate.map { String(format: "%.1f %%", $0) } ?? "-",
                "\(all?.inspectionsDone ?? 0)/\(all?.inspectionsPlanned ?? 0)",
                String(all?.deadlinesMet ?? 0), String(all?.deadlinesMetLate ?? 0), String(all?.deadlinesOverdue ?? 0), String(reminders),
            ])
        }
        print(Output.table(lines))
        print("Models registered in the year by field; rate = recognised ÷ registered; visits done of those planned;")
        print("deadlines by due day: met on time, met late, still overdue; reminders = 7- and 1-day reminders sent to the district's units.")
    }

    /// Writes each generated report as `<unit>-<period>.html` and `.csv`; returns the
    /// files written.
    func writeReports(to folder: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var written: [String] = []
        for row in try connection.query(
            """
            SELECT DISTINCT ON (r.unit_id, r.period_id) u.name, p.kind::text AS kind, p.name AS period, r.html, r.csv
            FROM danvan.reports AS r JOIN danvan.units AS u ON u.id = r.unit_id JOIN danvan.periods AS p ON p.id = r.period_id
            ORDER BY r.unit_id, r.period_id, r.id DESC
            """
        ) {
            let kind: String = try row.decode("kind")
            let base = Self.slug(try row.decode("name")) + "-" + (kind == "year" ? "tong-ket-" : "so-ket-") + Self.slug(try row.decode("period"))
            for (ext, text) in [("html", try row.decode("html", as: String.self)), ("csv", try row.decode("csv", as: String.self))] {
                let file = folder.appendingPathComponent("\(base).\(ext)")
                try Data(text.utf8).write(to: file, options: .atomic)
                written.append(file.lastPathComponent)
            }
        }
        return written.sorted()
    }

    /// "Huyện Hòa Lợi" → "huyen-hoa-loi": file names any system can carry.
    static func slug(_ text: String) -> String {
        var result = ""
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            if scalar.properties.generalCategory == .nonspacingMark { continue }
            let character = scalar == "đ" || scalar == "Đ" ? "d" : String(scalar).lowercased()
            if character.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                result += character
            } else if !result.hasSuffix("-"), !result.isEmpty {
                result += "-"
            }
        }
        return result.hasSuffix("-") ? String(result.dropLast()) : result
    }
}
