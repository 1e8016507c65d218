import DanVan
import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Testing

@Suite("Units")
struct UnitDirectoryTests {
    /// Trà Vinh → Càng Long → Mỹ Cẩm → ấp 1, and a neighbouring district.
    @Test func subtreesFollowTheHierarchy() throws {
        try TestDatabase.with(schema: .domain) { db in
            let units = UnitDirectory()
            let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let cangLong = try units.create(.district, named: "Càng Long", under: province.id, on: db.pool)
            let myCam = try units.create(.commune, named: "Mỹ Cẩm", under: cangLong.id, on: db.pool)
            let hamlet = try units.create(.hamlet, named: "Ấp 1", under: myCam.id, on: db.pool)
            let front = try units.create(.fatherlandFront, named: "Ủy ban MTTQ xã Mỹ Cẩm", under: myCam.id, on: db.pool)
            let cauKe = try units.create(.district, named: "Cầu Kè", under: province.id, on: db.pool)
            let other = try units.create(.commune, named: "Hòa Ân", under: cauKe.id, on: db.pool)

            #expect(hamlet.path == [province.id, cangLong.id, myCam.id, hamlet.id])
            #expect(hamlet.depth == 3)
            #expect(try units.subtree(of: cangLong.id, on: db.pool).map(\.id) == [cangLong.id, myCam.id, hamlet.id, front.id])
            #expect(try units.subtree(of: province.id, on: db.pool).count == 7)
            // Who sees which unit is `Authority`'s rule: the unit itself and the units above.
            func sees(_ viewer: Int64, _ unit: Int64) throws -> Bool {
                try Authority.allows(.readUnits, by: .unit(viewer, .viewer), on: .unit(unit), in: db.pool)
            }
            #expect(try sees(cangLong.id, hamlet.id))
            #expect(try !sees(cangLong.id, other.id), "a district does not see another district's communes")
            #expect(try !sees(myCam.id, cangLong.id), "a commune does not see its parent")
        }
    }

    @Test func namesAreStoredInNFCAndVerbatim() throws {
        try TestDatabase.with(schema: .domain) { db in
            let units = UnitDirectory()
            let province = try units.create(.province, named: "Tra\u{0300} Vinh", under: nil, on: db.pool)
            #expect(province.name == "Trà Vinh")
            let stored = try db.pool.query("SELECT name = normalize(name, NFC) AS nfc, octet_length(name) AS bytes FROM danvan.units WHERE id = $1", province.id).single()
            #expect(try stored.decode("nfc", as: Bool.self))
            #expect(try stored.decode("bytes", as: Int32.self) == Int32("Trà Vinh".utf8.count))
            let tricky = try units.create(.district, named: "Huyện 'x'); DROP TABLE danvan.units; --", under: province.id, on: db.pool)
            #expect(try units.find(tricky.id, on: db.pool)?.name == "Huyện 'x'); DROP TABLE danvan.units; --")
        }
    }

    @Test func badUnitsAreRefusedAndNothingIsStored() throws {
        try TestDatabase.with(schema: .domain) { db in
            let units = UnitDirectory()
            let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let district = try units.create(.district, named: "Càng Long", under: province.id, on: db.pool)
            #expect(throws: UnitError.parentNotAllowed(child: .hamlet, parent: .district, on: nil)) {
                try units.create(.hamlet, named: "Ấp 2", under: district.id, on: db.pool)
            }
            #expect(throws: UnitError.notFound(999_999)) { try units.create(.commune, named: "Xã ma", under: 999_999, on: db.pool) }
            #expect(throws: UnitError.parentMissing(.commune)) { try units.create(.commune, named: "Xã mồ côi", under: nil, on: db.pool) }
            #expect(throws: UnitError.duplicateName(name: "Càng Long", parent: province.id)) {
                try units.create(.district, named: "Ca\u{0300}ng Long", under: province.id, on: db.pool)
            }
            #expect(throws: UnitError.invalidName(.controlCharacter(field: "unit name", code: 0x1B))) {
                try units.create(.district, named: "Cầu\u{1B}Kè", under: province.id, on: db.pool)
            }
            #expect(throws: UnitError.notFound(424_242)) { try units.subtree(of: 424_242, on: db.pool) }
            #expect(try count(db, "SELECT count(*) FROM danvan.units") == 2)
        }
    }

    /// The database holds the same rules for writers that bypass Swift.
    @Test func theDatabaseEnforcesTheRulesToo() throws {
        try TestDatabase.with(schema: .domain) { db in
            let province = try UnitDirectory().create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let wrongKind = #expect(throws: PostgresError.self) {
                try db.pool.query("INSERT INTO danvan.units (parent_id, kind, name) VALUES ($1, 'hamlet', 'Ấp')", province.id)
            }
            #expect(wrongKind?.message.contains("a hamlet cannot be placed under a province") == true)
            let nfd = #expect(throws: PostgresError.self) {
                try db.pool.query("INSERT INTO danvan.units (parent_id, kind, name) VALUES ($1, 'district', $2)", province.id, "Ca\u{0300}ng Long")
            }
            #expect(nfd?.message.contains("units_name_nfc") == true)
            let district = try UnitDirectory().create(.district, named: "Càng Long", under: province.id, on: db.pool)
            let other = try UnitDirectory().create(.province, named: "Vĩnh Long", under: nil, on: db.pool)
            let move = #expect(throws: PostgresError.self) {
                try db.pool.query("UPDATE danvan.units SET parent_id = $2 WHERE id = $1", district.id, other.id)
            }
            #expect(move?.message.contains("has no open link") == true, "a move without its dated link")
            let rename = #expect(throws: PostgresError.self) {
                try db.pool.query("UPDATE danvan.units SET name = 'Càng Long mới' WHERE id = $1", district.id)
            }
            #expect(rename?.message.contains("no dated record of the name") == true, "a rename without its dated name")
            let kind = #expect(throws: PostgresError.self) {
                try db.pool.query("UPDATE danvan.units SET kind = 'commune' WHERE id = $1", district.id)
            }
            #expect(kind?.message.contains("cannot change its kind") == true)
            let late = #expect(throws: PostgresError.self) {
                try db.pool.query("INSERT INTO danvan.units (parent_id, kind, name, valid_from) VALUES ($1, 'district', 'Huyện mới', '2025-08-01')", province.id)
            }
            #expect(late?.message.contains("a district cannot be placed under a province from 2025-08-01") == true, "no district after 01/07/2025")
            let overlap = #expect(throws: PostgresError.self) {
                try db.pool.query("INSERT INTO danvan.unit_links (unit_id, parent_id, valid_from) VALUES ($1, $2, '2020-01-01')", district.id, other.id)
            }
            #expect(overlap?.message.contains("unit_links_no_overlap") == true, "two parents on one day")
            let renamed = try UnitChanges().rename(district.id, to: "Càng Long mới", on: try CivilDate(parsing: "01/01/2024"), by: .system, on: db.pool)
            #expect(renamed.path == [province.id, district.id], "a rename keeps the path")
        }
    }

    func count(_ db: TestDatabase, _ sql: String) throws -> Int {
        Int(try db.pool.query(sql).single().decode(0, as: Int64.self))
    }
}
