import Foundation
import KheoTesting
import PostgresClient
import Testing

@Suite struct CopyTests {
    @Test func copies100000Rows() throws {
        try TestDatabase.with(migrated: false) { db in
            try db.pool.withConnection { connection in
                try connection.query("CREATE TABLE visits (id int8, unit text, note text, at timestamptz, tags text[])")
                let base = Date(timeIntervalSince1970: 1_700_000_000)
                let stored = try connection.copy("COPY visits (id, unit, note, at, tags) FROM STDIN") { writer in
                    for id in 0..<100_000 {
                        let note: String? = id % 10 == 0 ? nil : "dòng \(id)\tvới tab\nvà xuống dòng \\ gạch"
                        try writer.append(id, "Xã \(id % 97)", note, base.addingTimeInterval(Double(id)), ["a", "b,\(id)"])
                    }
                }
                #expect(stored == 100_000)
                let summary = try connection.query(
                    "SELECT count(*) AS n, sum(id)::int8 AS total, count(note) AS notes, max(at) AS last FROM visits"
                ).single()
                #expect(try summary.decode("n", as: Int.self) == 100_000)
                #expect(try summary.decode("total", as: Int.self) == 4_999_950_000)
                #expect(try summary.decode("notes", as: Int.self) == 90_000)
                #expect(try summary.decode("last", as: Date.self) == base.addingTimeInterval(99_999))
                let row = try connection.query("SELECT note, tags FROM visits WHERE id = 7").single()
                #expect(try row.decode("note", as: String.self) == "dòng 7\tvới tab\nvà xuống dòng \\ gạch")
                #expect(try row.decode("tags", as: [String].self) == ["a", "b,7"])
            }
        }
    }

    @Test func aThrowingBodyStoresNothing() throws {
        struct Stop: Error {}
        try TestDatabase.with(migrated: false) { db in
            try db.pool.withConnection { connection in
                try connection.query("CREATE TABLE items (id int8)")
                #expect(throws: Stop.self) {
                    try connection.copy("COPY items (id) FROM STDIN") { writer in
                        for id in 0..<50_000 { try writer.append(id) }
                        throw Stop()
                    }
                }
                #expect(try connection.query("SELECT count(*) FROM items").single().decode(0, as: Int.self) == 0)
            }
        }
    }

    @Test func badDataIsAServerErrorAndTheConnectionStaysUsable() throws {
        try TestDatabase.with(migrated: false, pool: .init(maximumConnections: 1)) { db in
            try db.pool.withConnection { connection in
                try connection.query("CREATE TABLE items (id int8 NOT NULL)")
                #expect {
                    try connection.copy("COPY items (id) FROM STDIN") { writer in
                        try writer.append(1)
                        try writer.append("not a number")
                    }
                } throws: { error in
                    (error as? PostgresError)?.sqlState == SQLState.invalidTextRepresentation
                }
                #expect(try connection.query("SELECT count(*) FROM items").single().decode(0, as: Int.self) == 0)
            }
        }
    }
}
