package import DanVan
package import Foundation
import KheoCLIKit
package import PostgresClient

/// The end of the demo: the year's figures per district from the current statistics
/// snapshot (the one the reports were built from), and the reports written to files.
package struct DemoSummary {
    let connection: PostgresConnection
    let outcome: DemoRun.Outcome

    package init(connection: PostgresConnection, outcome: DemoRun.Outcome) {
        self.connection = connection
        self.outcome = outcome
    }

    /// The year's figures by the units under the province as the year ended; after a
    /// reorganisation, first the first half's by the districts that stood then.
    package func printTables() throws {
        if let before = outcome.before, let half = outcome.periods[.firstHalf] {
            print("6 tháng đầu năm, on the tree of three tiers (by district, as they stood on 30/06):")
            try printTable(before.districts.map(\.unit) + [before.unit], period: half)
            print("")
            print("The year, on the tree of two tiers (by commune and ward, as they stood on 31/12); the models of merged communes count for their successors:")
        }
        guard let year = outcome.periods[.year] else { return }
        let province = outcome.province
        try printTable(province.districts.map(\.unit) + province.communes.map(\.unit) + [province.unit], period: year)
        print("Models registered in the period by field; rate = recognised ÷ registered; visits done of those planned;")
        print("deadlines by due day: met on time, met late, still overdue; reminders = 7- and 1-day reminders sent to the unit and the units under it.")
    }

    private func printTable(_ units: [OrgUnit], period: Int64) throws {
        var lines = [["unit", "economy", "cult-soc", "def-sec", "political", "models", "recognised", "rate", "visits done", "met", "late", "overdue", "reminders"]]
        for unit in units {
            let figures = Dictionary(uniqueKeysWithValues: try StatisticsFigures.read(unit: unit.id, period: period, on: connection).map { ($0.field, $0) })
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
                unit.kind == .province ? "Toàn tỉnh" : unit.name,
                count(.economy), count(.cultureSociety), count(.defenceSecurity), count(.politicalSystem),
                String(all?.modelsRegistered ?? 0), String(all?.modelsRecognised ?? 0),
                all?.recognitionRate.map { String(format: "%.1f %%", $0) } ?? "-",
                "\(all?.inspectionsDone ?? 0)/\(all?.inspectionsPlanned ?? 0)",
                String(all?.deadlinesMet ?? 0), String(all?.deadlinesMetLate ?? 0), String(all?.deadlinesOverdue ?? 0), String(reminders),
            ])
        }
        print(Output.table(lines))
    }

    /// Writes each generated report as `<unit>-<period>.html` and `.csv`; returns the
    /// files written.
    package func writeReports(to folder: URL) throws -> [String] {
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

    /// Writes every issued document's main file (.docx, or .xlsx for a workbook) into
    /// `folder`, named by its number and title ("15-bc-btgdvtu-bao-cao-so-ket-….docx");
    /// returns the files written, and how many of each kind were issued.
    package func writeDocuments(to folder: URL) throws -> (files: [String], kinds: [DocumentKind: Int]) {
        // The folder holds this run's documents only: an earlier run's numbers may
        // name other files.
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var written: [String] = []
        var kinds: [DocumentKind: Int] = [:]
        for row in try connection.query(
            """
            SELECT d.kind::text AS kind, d.number || '-' || d.kind_symbol || '-' || d.body_symbol AS reference, d.title, f.format, f.content
            FROM danvan.documents AS d JOIN danvan.document_files AS f ON f.document_id = d.id AND f.format IN ('docx', 'xlsx')
            WHERE d.status = 'issued' ORDER BY d.id
            """
        ) {
            let kind = DocumentKind(rawValue: try row.decode("kind")) ?? .reviewReport
            kinds[kind, default: 0] += 1
            let base = Self.slug(try row.decode("reference")) + "-" + String(Self.slug(try row.decode("title")).prefix(90))
            let file = folder.appendingPathComponent("\(base).\(try row.decode("format", as: String.self))")
            try (try row.decode("content", as: Data.self)).write(to: file, options: .atomic)
            written.append(file.lastPathComponent)
        }
        return (written.sorted(), kinds)
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
