import DanVan
import Foundation
import KheoTesting
import OfficeFiles
import PostgresClient
import Testing

/// Setting up a province from the unit list its office keeps: 700 units from a CSV and
/// from an .xlsx workbook, read back out the same, imported again without change, and
/// a file with bad rows refused whole with each bad line named.
@Suite("Unit list import")
struct UnitImportTests {
    /// A two-tier province of 700 units: the province and its Ban Dân vận, 99 communes
    /// and wards, six hamlets each (named as the region names them, repeated from one
    /// commune to the next, so they name their commune by code), and a Khối Dân vận in
    /// five communes. Some hamlets come before their commune, as rows pasted from
    /// several sheets do.
    static func province(_ name: String, code prefix: String, northern: Bool = false) -> UnitSheet {
        var rows: [UnitSheet.Row] = []
        func add(_ code: String?, _ name: String, _ kind: OrgUnit.Kind, parent: String?, parentCode: String?) {
            rows.append(.init(line: rows.count + 2, code: code, name: name, kind: kind, parentName: parent, parentCode: parentCode))
        }
        add(prefix, name, .province, parent: nil, parentCode: nil)
        add(nil, "Ban Dân vận Tỉnh ủy", .massMobilisationCommittee, parent: name, parentCode: prefix)
        let hamlet = northern ? "Thôn" : "Ấp"
        var late: [UnitSheet.Row] = []
        for number in 1...99 {
            let code = "\(prefix)\(String(format: "%03d", number))"
            let commune = number % 7 == 0 ? "Phường \(number)" : "Xã Số \(number)"
            let hamlets = (1...6).map { UnitSheet.Row(line: 0, code: "\(code)-\($0)", name: "\(hamlet) \($0)", kind: .hamlet, parentName: commune, parentCode: code) }
            if number % 10 == 3 { late += hamlets } else { hamlets.forEach { add($0.code, $0.name, $0.kind, parent: $0.parentName, parentCode: $0.parentCode) } }
            add(code, commune, .commune, parent: name, parentCode: nil)
            if number <= 5 { add(nil, "Khối Dân vận \(commune)", .massMobilisationBloc, parent: commune, parentCode: code) }
        }
        // The hamlets held back go first.
        let ordered = late.map { UnitSheet.Row(line: 0, code: $0.code, name: $0.name, kind: $0.kind, parentName: $0.parentName, parentCode: $0.parentCode) } + rows
        return UnitSheet(rows: ordered.enumerated().map { index, row in
            UnitSheet.Row(line: index + 2, code: row.code, name: row.name, kind: row.kind, parentName: row.parentName, parentCode: row.parentCode)
        })
    }

    /// The tree the rows describe, whatever their order and however a parent is
    /// named: each unit's code (or name), kind, and its parent's code (or name).
    static func content(_ sheet: UnitSheet) -> Set<String> {
        let codeByName = Dictionary(sheet.rows.map { ($0.name, $0.code ?? $0.name) }, uniquingKeysWith: { first, _ in first })
        return Set(sheet.rows.map { row in
            let parent = row.parentCode ?? row.parentName.map { codeByName[$0] ?? $0 } ?? "-"
            return [row.code ?? row.name, row.name, row.kind.rawValue, parent].joined(separator: "|")
        })
    }

    @Test(arguments: UnitSheet.Format.allCases)
    func aProvinceOf700UnitsRoundTrips(format: UnitSheet.Format) throws {
        try TestDatabase.with(schema: .domain) { db in
            let written = Self.province(format == .csv ? "Vĩnh Long" : "Tuyên Quang", code: format == .csv ? "86" : "08", northern: format == .xlsx)
            #expect(written.rows.count == 700)
            let file = try written.data(as: format)
            #expect(UnitSheet.Format.sniff(file) == format)
            let read = try UnitSheet.read(file)
            #expect(read == written, "the file reads back as written, line numbers included")

            let first = try UnitImport().run(read, by: .system, on: db.pool)
            #expect(first.created == 700 && first.unchanged == 0)
            let count: Int64 = try db.pool.query("SELECT count(*) AS n FROM danvan.units").single().decode("n")
            #expect(count == 700)
            let province = try #require(try UnitDirectory().find(code: written.rows.first { $0.kind == .province }!.code!, on: db.pool))
            let communes = try db.pool.query(
                "SELECT count(*) AS n FROM danvan.units WHERE parent_id = $1 AND kind = 'commune' AND valid_from = '2025-07-01'", province.id
            ).single().decode("n", as: Int64.self)
            #expect(communes == 99, "communes stand directly under the province, from the first day of the two-tier system")

            // Out again: the same tree, and a file that reads back to it.
            let exported = try UnitSheet.export(province.id, by: .system, on: db.pool)
            #expect(Self.content(exported).symmetricDifference(Self.content(written)).isEmpty, "the exported tree is the imported one")
            let again = try UnitSheet.read(try exported.data(as: format))
            #expect(Self.content(again).symmetricDifference(Self.content(written)).isEmpty)

            // In again: nothing changes.
            let second = try UnitImport().run(again, by: .system, on: db.pool)
            #expect(second.created == 0 && second.unchanged == 700)
            #expect(second.unitIDs.sorted() == first.unitIDs.sorted())
            let after: Int64 = try db.pool.query("SELECT count(*) AS n FROM danvan.units").single().decode("n")
            #expect(after == 700)
        }
    }

    /// Three bad rows among 700: an unknown kind (line 5), a parent that exists nowhere
    /// (line 17) and a code used twice (line 300). Nothing is stored, and the refusal
    /// names exactly those lines.
    @Test func aFileWithBadRowsIsRefusedWhole() throws {
        try TestDatabase.with(schema: .binary) { db in
            let good = Self.province("Vĩnh Long", code: "86")
            let codeOnLine10 = good.rows[8].code!
            let rows = good.rows.map { row -> UnitSheet.Row in
                switch row.line {
                case 5: UnitSheet.Row(line: 5, code: row.code, name: row.name, kind: row.kind, parentName: row.parentName, parentCode: row.parentCode)
                case 17: UnitSheet.Row(line: 17, code: row.code, name: row.name, kind: row.kind, parentName: "Xã Không Có", parentCode: nil)
                case 300: UnitSheet.Row(line: 300, code: codeOnLine10, name: row.name, kind: row.kind, parentName: row.parentName, parentCode: row.parentCode)
                default: row
                }
            }
            var csv = String(decoding: try UnitSheet(rows: rows).data(as: .csv), as: UTF8.self)
            // Line 5's kind as someone mistyped it.
            var lines = csv.components(separatedBy: "\r\n")
            var fields = lines[4].components(separatedBy: ",")
            fields[2] = "xã phường"
            lines[4] = fields.joined(separator: ",")
            csv = lines.joined(separator: "\r\n")

            let sheet = try UnitSheet.read(Data(csv.utf8))
            #expect(sheet.problems.map(\.line) == [5], "the kind is found wrong as the file is read")
            do {
                _ = try UnitImport().run(sheet, by: .system, on: db.pool)
                Issue.record("a file with bad rows was imported")
            } catch let error as UnitImportError {
                #expect(error.lines == [5, 17, 300], "every bad row at once, and no row under line 5's unit reported for it")
                #expect(error.description.contains("line 5: unknown kind \"xã phường\""))
                #expect(error.description.contains("line 17: the parent \"Xã Không Có\" is neither a row of the file nor a standing unit"))
                #expect(error.description.contains("line 300: the code \"\(codeOnLine10)\" is already used on line 10"))
            }
            // All three at once, through the command an office runs.
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("kheo-units-\(UUID()).csv")
            try Data(csv.utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let run = try KheoBinary.run(["setup", "units", "import", file.path], environment: ["DATABASE_URL": db.url])
            #expect(run.status != 0)
            for line in [5, 17, 300] { #expect(run.output.contains("line \(line): "), "\(run.output)") }
            let count: Int64 = try db.pool.query("SELECT count(*) AS n FROM danvan.units").single().decode("n")
            #expect(count == 0, "nothing of the file was stored")
        }
    }

    /// Who may import: an admin sets up what lies under its own unit; a province only
    /// an operator or the system.
    @Test func onlyAnAdminAboveTheRowsImportsThem() throws {
        try TestDatabase.with(schema: .domain) { db in
            let units = UnitDirectory()
            let province = try units.create(.province, named: "Vĩnh Long", under: nil, code: "86", on: db.pool)
            let commune = try units.create(.commune, named: "Xã Song Phú", under: province.id, code: "86001", on: db.pool)
            let other = try units.create(.commune, named: "Xã Tân Quới", under: province.id, code: "86002", on: db.pool)
            let hamlets = try UnitSheet.read(Data("Mã,Tên đơn vị,Loại,Mã cấp trên\n,Ấp Phú Hòa,ấp,86001\n,Ấp Phú Thạnh,khóm,86001\n".utf8))
            #expect(throws: AuthorityError.self) { try UnitImport().run(hamlets, by: .unit(commune.id, .editor), on: db.pool) }
            #expect(throws: AuthorityError.self) { try UnitImport().run(hamlets, by: .unit(other.id, .admin), on: db.pool) }
            let done = try UnitImport().run(hamlets, by: .unit(commune.id, .admin), on: db.pool)
            #expect(done.created == 2)
            let newProvince = try UnitSheet.read(Data("Tên đơn vị;Loại\nĐồng Tháp;tỉnh\n".utf8))
            #expect(throws: AuthorityError.self) { try UnitImport().run(newProvince, by: .unit(province.id, .admin), on: db.pool) }
            #expect(try UnitImport().run(newProvince, by: .operator(token: nil), on: db.pool).created == 1)
            #expect(other.code == "86002")
        }
    }
}
