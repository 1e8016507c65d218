import Foundation
import KheoTesting
import PostgresClient
import Testing

@Suite struct TextAndSizeTests {
    @Test func vietnameseRoundTripsByteExactAndStaysNFC() throws {
        try TestDatabase.with(migrated: false) { db in
            let names = [
                "Phong trào thi đua “Dân vận khéo”",
                "Ủy ban Mặt trận Tổ quốc Việt Nam xã Bình Sa",
                "Hội Liên hiệp Phụ nữ – Chi hội ấp Phú Thạnh",
                "Kiểm tra, giám sát; khắc phục hạn chế sau kiểm tra",
            ]
            try db.pool.query("CREATE TABLE units (name text NOT NULL)")
            for name in names { try db.pool.query("INSERT INTO units VALUES ($1)", name) }
            let rows = try db.pool.query("SELECT name, name IS NFC NORMALIZED AS nfc, octet_length(name) AS bytes FROM units ORDER BY ctid")
            for (row, original) in zip(rows, names) {
                let back: String = try row.decode("name")
                #expect(Array(back.utf8) == Array(original.utf8))
                #expect(try row.decode("nfc", as: Bool.self))
                #expect(try row.decode("bytes", as: Int.self) == original.utf8.count)
            }
            // A decomposed (NFD) string is stored as sent, not silently recomposed.
            let decomposed = "Vie\u{0302}\u{0323}t"
            let stored: [UInt8] = Array(try db.pool.query("SELECT $1::text", decomposed).single().decode(0, as: String.self).utf8)
            #expect(stored == Array(decomposed.utf8))
        }
    }

    @Test func megabyteValuesRoundTrip() throws {
        try TestDatabase.with(migrated: false) { db in
            let text = String(repeating: "Dân vận khéo; ", count: 1_048_576 / 16)
            var bytes = Data(count: 1_048_576)
            for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 31 &+ 7) }
            try db.pool.query("CREATE TABLE blobs (body text, raw bytea)")
            try db.pool.query("INSERT INTO blobs VALUES ($1, $2)", text, bytes)
            let row = try db.pool.query("SELECT body, raw, octet_length(raw) AS size FROM blobs").single()
            #expect(try row.decode("body", as: String.self) == text)
            #expect(try row.decode("raw", as: Data.self) == bytes)
            #expect(try row.decode("size", as: Int.self) == 1_048_576)
        }
    }

    @Test func sqlMetacharactersStayData() throws {
        try TestDatabase.with(migrated: false) { db in
            let hostile = "x'); DROP TABLE notes; -- \\ $1 \" ;"
            try db.pool.query("CREATE TABLE notes (body text)")
            try db.pool.query("INSERT INTO notes VALUES ($1)", hostile)
            #expect(try db.pool.query("SELECT body FROM notes").single().decode(0, as: String.self) == hostile)
            try db.pool.withConnection { connection in
                let quoted = try connection.quoteIdentifier("we\"ird name")
                #expect(quoted == "\"we\"\"ird name\"")
            }
        }
    }

    @Test func nulBytesInTextAreRefusedBeforeSending() throws {
        try TestDatabase.with(migrated: false) { db in
            #expect {
                try db.pool.query("SELECT $1::text", "before\u{0}after")
            } throws: { error in
                let error = error as! PostgresError
                return error.code == .encoding && error.message.contains("$1")
            }
            let one: Int = try db.pool.query("SELECT 1").single().decode(0)
            #expect(one == 1)
        }
    }
}
