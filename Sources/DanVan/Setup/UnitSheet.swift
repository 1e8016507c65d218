public import Foundation
public import OfficeFiles

/// A unit tree as offices keep it in a spreadsheet: one row per unit with its code,
/// name, kind and parent (by name, or by code where names repeat: every commune has
/// its "Ấp 1"). The header names the columns, in Vietnamese or English, in any order:
///
/// | Mã | Tên đơn vị | Loại | Đơn vị cấp trên | Mã cấp trên |
/// |----|-----------|------|-----------------|-------------|
/// | 84 | Trà Vinh | tỉnh | | |
/// | 29242 | Xã Càng Long | xã | Trà Vinh | 84 |
///
/// Kinds are the words officials write (tỉnh, huyện, thị xã, xã, phường, đặc khu, ấp,
/// khóm, thôn, tổ dân phố, chi bộ, Ban Dân vận, cụm thi đua …) or Kheo's own names.
public struct UnitSheet: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public let line: Int
        public let code: String?
        public let name: String
        public let kind: OrgUnit.Kind
        public let parentName: String?
        public let parentCode: String?

        public init(line: Int, code: String?, name: String, kind: OrgUnit.Kind, parentName: String?, parentCode: String?) {
            self.line = line
            self.code = code
            self.name = name
            self.kind = kind
            self.parentName = parentName
            self.parentCode = parentCode
        }
    }

    public enum Format: String, Sendable, CaseIterable {
        case csv, xlsx

        /// The format a file's first bytes say it is: a zip archive is a workbook.
        public static func sniff(_ data: Data) -> Format {
            data.starts(with: [0x50, 0x4B, 0x03, 0x04]) ? .xlsx : .csv
        }
    }

    public let rows: [Row]
    /// Rows that could not be read (an unknown kind, an empty name): `UnitImport`
    /// refuses the file with them and every other bad row named together.
    public let problems: [UnitImportError.Problem]
    /// The names and codes of those rows, lower-cased: a row under one of them is not
    /// reported again as having no parent.
    let unreadable: Set<String>

    public init(rows: [Row]) {
        self.init(rows: rows, problems: [], unreadable: [])
    }

    init(rows: [Row], problems: [UnitImportError.Problem], unreadable: Set<String>) {
        self.rows = rows
        self.problems = problems
        self.unreadable = unreadable
    }

    /// The header row this project writes.
    public static let header = ["Mã", "Tên đơn vị", "Loại", "Đơn vị cấp trên", "Mã cấp trên"]

    /// Reads a file. A file that is not a table is refused here; rows that cannot be
    /// read are kept as `problems`, for the import to refuse with every bad line named.
    public static func read(_ data: Data, format: Format? = nil) throws(UnitImportError) -> UnitSheet {
        let table: [TableRow]
        do {
            table = switch format ?? Format.sniff(data) {
            case .csv: try CSVTable.read(data)
            case .xlsx: try XLSXReader.read(data)
            }
        } catch {
            throw .unreadable(error)
        }
        let content = table.filter { !$0.isBlank }
        guard let headerRow = content.first else { throw .empty }
        let columns = try Columns(header: headerRow.cells)
        var rows: [Row] = []
        var problems: [UnitImportError.Problem] = []
        var unreadable: Set<String> = []
        for tableRow in content.dropFirst() {
            do {
                rows.append(try columns.row(tableRow))
            } catch {
                problems.append(.init(line: tableRow.line, reason: error.reason))
                for index in [columns.name, columns.code].compactMap({ $0 }) where index < tableRow.cells.count {
                    unreadable.insert(tableRow.cells[index].precomposedStringWithCanonicalMapping.lowercased())
                }
            }
        }
        guard !rows.isEmpty || !problems.isEmpty else { throw .empty }
        return UnitSheet(rows: rows, problems: problems, unreadable: unreadable)
    }

    /// The sheet as a file: CSV UTF-8 or an .xlsx workbook.
    public func data(as format: Format) throws -> Data {
        let table = [Self.header] + rows.map { row in
            [row.code ?? "", row.name, row.kind.sheetWord(named: row.name), row.parentName ?? "", row.parentCode ?? ""]
        }
        return switch format {
        case .csv: CSVTable.write(table)
        case .xlsx: try XLSXWriter.write(sheet: "Đơn vị", rows: table)
        }
    }

    /// Where each column is, from the header's words.
    struct Columns {
        let code: Int?, name: Int, kind: Int, parent: Int?, parentCode: Int?

        static let words: [String: String] = [
            "ma": "code", "ma don vi": "code", "code": "code", "unit code": "code",
            "ten": "name", "ten don vi": "name", "name": "name",
            "loai": "kind", "loai don vi": "kind", "cap": "kind", "kind": "kind",
            "don vi cap tren": "parent", "cap tren": "parent", "truc thuoc": "parent", "parent": "parent", "parent name": "parent",
            "ma cap tren": "parentCode", "ma don vi cap tren": "parentCode", "parent code": "parentCode",
        ]

        init(header: [String]) throws(UnitImportError) {
            var found: [String: Int] = [:]
            for (index, cell) in header.enumerated() {
                if let column = Self.words[UnitSheet.folded(cell)], found[column] == nil { found[column] = index }
            }
            let missing = ["name", "kind"].filter { found[$0] == nil }
            guard missing.isEmpty else {
                throw .missingColumns(missing.map { $0 == "name" ? "Tên đơn vị" : "Loại" })
            }
            code = found["code"]
            name = found["name"]!
            kind = found["kind"]!
            parent = found["parent"]
            parentCode = found["parentCode"]
        }

        func row(_ row: TableRow) throws(RowError) -> Row {
            func cell(_ index: Int?) -> String? {
                guard let index, index < row.cells.count else { return nil }
                let text = row.cells[index]
                return text.isEmpty ? nil : text
            }
            let name: String
            do {
                name = try DomainText.clean(cell(self.name) ?? "", field: "unit name", maxLength: 300)
            } catch {
                throw RowError(reason: error.description)
            }
            guard let kindWord = cell(kind) else { throw RowError(reason: "the kind (Loại) is empty") }
            guard let kind = OrgUnit.Kind(sheetWord: kindWord) else {
                throw RowError(reason: "unknown kind \"\(kindWord.prefix(60))\": use tỉnh, huyện, xã, phường, ấp, thôn, chi bộ, Ban Dân vận, cụm thi đua …")
            }
            var code: String?
            if let text = cell(self.code) {
                do { code = try UnitDirectory.cleanCode(text) } catch { throw RowError(reason: error.description) }
            }
            var parentCode: String?
            if let text = cell(self.parentCode) {
                do { parentCode = try UnitDirectory.cleanCode(text) } catch { throw RowError(reason: "parent " + error.description) }
            }
            var parentName: String?
            if let text = cell(parent) {
                do {
                    parentName = try DomainText.clean(text, field: "parent unit name", maxLength: 300)
                } catch {
                    throw RowError(reason: error.description)
                }
            }
            return Row(line: row.line, code: code, name: name, kind: kind, parentName: parentName, parentCode: parentCode)
        }
    }

    struct RowError: Error { let reason: String }

    /// A header or kind word without case, diacritics or extra spaces: "Đơn vị cấp
    /// trên" and "don vi cap tren" read alike.
    static func folded(_ text: String) -> String {
        text.replacingOccurrences(of: "đ", with: "d").replacingOccurrences(of: "Đ", with: "d")
            .folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .split(whereSeparator: { $0 == " " || $0 == "_" || $0 == "\u{00A0}" }).joined(separator: " ")
    }
}

extension OrgUnit.Kind {
    /// Words officials write in a unit list's kind column, folded (`UnitSheet.folded`).
    /// "thành phố" alone is a city under a province (the district level) here; a
    /// centrally-run city is "thành phố trực thuộc trung ương".
    static let sheetWords: [String: OrgUnit.Kind] = {
        var words: [String: OrgUnit.Kind] = [
            "tinh": .province, "thanh pho truc thuoc trung uong": .province,
            "huyen": .district, "thi xa": .district, "quan": .district, "thanh pho": .district, "thanh pho thuoc tinh": .district,
            "xa": .commune, "phuong": .commune, "thi tran": .commune, "dac khu": .commune,
            "ap": .hamlet, "khom": .hamlet, "thon": .hamlet, "xom": .hamlet, "to dan pho": .hamlet, "ban": .hamlet, "buon": .hamlet,
            "lang": .hamlet, "khu pho": .hamlet, "soc": .hamlet, "bon": .hamlet,
            "dang uy": .partyCommittee, "chi bo": .partyBranch, "mat tran to quoc": .fatherlandFront, "mttq": .fatherlandFront,
            "doan the": .massOrganisation, "hoi": .massOrganisation, "co quan": .agency, "cong an": .police,
            "ban chi dao": .steeringCommittee, "ban dan van": .massMobilisationCommittee, "khoi dan van": .massMobilisationBloc,
            "cum thi dua": .cluster, "cum": .cluster,
        ]
        for kind in OrgUnit.Kind.allCases { words[UnitSheet.folded(kind.rawValue)] = kind }
        return words
    }()

    /// The kind a word of a unit list names ("xã", "huyện", "Ban Dân vận", "commune").
    public init?(sheetName: String) { self.init(sheetWord: sheetName) }

    init?(sheetWord: String) {
        guard let kind = Self.sheetWords[UnitSheet.folded(sheetWord)] else { return nil }
        self = kind
    }

    /// The word an exported sheet writes for a unit of this kind named `name`, which
    /// reads back as this kind: the word its name begins with when that is one of the
    /// kind's ("Phường Hòa Long": phường; "Khóm 3": khóm), else the kind's own.
    func sheetWord(named name: String) -> String {
        let folded = UnitSheet.folded(name)
        let candidates = Self.sheetWords.filter { $0.value == self && folded.hasPrefix($0.key + " ") }.map(\.key)
        guard let longest = candidates.max(by: { $0.count < $1.count }) else { return vietnamese }
        // The name's own spelling of the word, lower-cased: "Thị trấn Nghĩa An" → "thị trấn".
        return String(name.split(separator: " ").prefix(longest.split(separator: " ").count).joined(separator: " ")).lowercased()
    }
}
