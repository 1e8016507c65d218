import Foundation
import KheoTesting
import PostgresClient
import Testing

@Suite struct DecodingTests {
    struct Visit: Codable, Equatable {
        let commune: String
        let slots: [String]
        let delegation: Int
    }

    @Test func integers() throws {
        try TestDatabase.with(migrated: false) { db in
            let row = try db.pool.query("SELECT 7::int2 AS small, (-2147483648)::int4 AS int4, 9223372036854775807::int8 AS big, 42::oid AS oid").single()
            #expect(try row.decode("small", as: Int.self) == 7)
            #expect(try row.decode("small", as: Int32.self) == 7)
            #expect(try row.decode("int4", as: Int32.self) == Int32.min)
            #expect(try row.decode("int4", as: Int64.self) == Int64(Int32.min))
            #expect(try row.decode("big", as: Int64.self) == Int64.max)
            #expect(try row.decode("big", as: Int.self) == Int.max)
            #expect(try row.decode("oid", as: Int64.self) == 42)
            let echoed = try db.pool.query("SELECT $1::int8 AS a, $2::int4 AS b, $3 AS c", Int64.min, Int32.max, 12).single()
            #expect(try echoed.decode("a", as: Int64.self) == Int64.min)
            #expect(try echoed.decode("b", as: Int32.self) == Int32.max)
            #expect(try echoed.decode("c", as: Int.self) == 12)
        }
    }

    @Test func floatingPointAndBool() throws {
        try TestDatabase.with(migrated: false) { db in
            let row = try db.pool.query(
                "SELECT $1::float8 AS d, 1.5::float4 AS f, $2::float8 AS inf, 'NaN'::float8 AS nan, $3::bool AS yes, false AS no",
                0.1 + 0.2, Double.infinity, true
            ).single()
            #expect(try row.decode("d", as: Double.self) == 0.1 + 0.2)
            #expect(try row.decode("f", as: Double.self) == 1.5)
            #expect(try row.decode("inf", as: Double.self) == .infinity)
            #expect(try row.decode("nan", as: Double.self).isNaN)
            #expect(try row.decode("yes", as: Bool.self))
            #expect(try !row.decode("no", as: Bool.self))
        }
    }

    @Test func textTypes() throws {
        try TestDatabase.with(migrated: false) { db in
            let row = try db.pool.query(
                "SELECT $1::text AS t, 'v'::varchar(3) AS v, 'c'::char(3) AS c, 'pg_class'::name AS n, '{\"a\": 1}'::jsonb AS j, '' AS empty",
                "xin chào"
            ).single()
            #expect(try row.decode("t", as: String.self) == "xin chào")
            #expect(try row.decode("v", as: String.self) == "v")
            #expect(try row.decode("c", as: String.self) == "c  ")
            #expect(try row.decode("n", as: String.self) == "pg_class")
            #expect(try row.decode("j", as: String.self) == "{\"a\": 1}")
            #expect(try row.decode("empty", as: String.self) == "")
        }
    }

    @Test func datesToTheMicrosecond() throws {
        try TestDatabase.with(migrated: false) { db in
            let instant = Date(timeIntervalSince1970: 1_763_881_620.123456)
            let row = try db.pool.query(
                """
                SELECT $1::timestamptz AS echoed, '2026-10-12 02:00:00+07'::timestamptz AS nightly,
                       '2000-01-01 00:00:00'::timestamp AS epoch, '2024-02-29'::date AS leap,
                       'infinity'::timestamptz AS never, '-infinity'::timestamptz AS always,
                       to_char($1::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS text
                """,
                instant
            ).single()
            let echoed: Date = try row.decode("echoed")
            #expect(abs(echoed.timeIntervalSince(instant)) < 0.000_001)
            #expect(try row.decode("text", as: String.self) == "2025-11-23 07:07:00.123456")
            #expect(try row.decode("nightly", as: Date.self) == Date(timeIntervalSince1970: 1_791_745_200))
            #expect(try row.decode("epoch", as: Date.self) == Date(timeIntervalSince1970: 946_684_800))
            #expect(try row.decode("leap", as: Date.self) == Date(timeIntervalSince1970: 1_709_164_800))
            #expect(try row.decode("never", as: Date.self) == .distantFuture)
            #expect(try row.decode("always", as: Date.self) == .distantPast)
            // Year 1 of the proleptic calendar and the year before it, which PostgreSQL
            // calls 1 BC (it has no year 0).
            for text in ["0001-01-01 02:00:03+00", "0001-12-30 02:00:03+00 BC"] {
                let stored: Date = try db.pool.query("SELECT $1::timestamptz AS t", text).single().decode("t")
                let echoed = try db.pool.query("SELECT $1::timestamptz::text = $2::timestamptz::text AS same", stored, text).single()
                #expect(try echoed.decode("same", as: Bool.self), "\(text) did not travel back as itself")
            }
            let before1970 = Date(timeIntervalSince1970: -86_400 * 365.25 * 30 + 0.5)
            let back: Date = try db.pool.query("SELECT $1::timestamptz", before1970).single().decode(0)
            #expect(back == before1970)
        }
    }

    @Test func uuidsBytesAndJSON() throws {
        try TestDatabase.with(migrated: false) { db in
            let id = UUID()
            let bytes = Data([0, 1, 2, 0xfe, 0xff, 0x5c, 0x27])
            let visit = Visit(commune: "Xã Bình Sa", slots: ["sáng 05/8", "chiều 21/9"], delegation: 3)
            let row = try db.pool.query(
                "SELECT $1::uuid AS id, $2::bytea AS bytes, $3::jsonb AS visit, $3::json AS plain, ''::bytea AS none",
                id, bytes, PostgresJSON(visit)
            ).single()
            #expect(try row.decode("id", as: UUID.self) == id)
            #expect(try row.decode("bytes", as: Data.self) == bytes)
            #expect(try row.decodeJSON("visit", as: Visit.self) == visit)
            #expect(try row.decodeJSON("plain", as: Visit.self) == visit)
            #expect(try row.decode("none", as: Data.self).isEmpty)
        }
    }

    @Test func arrays() throws {
        try TestDatabase.with(migrated: false) { db in
            let words = ["a,b", "{brace}", "quote\"d", "back\\slash", "NULL", "", "Hội Nông dân"]
            let row = try db.pool.query(
                "SELECT $1::int8[] AS ids, ARRAY[1,2]::int4[] AS small, $2::text[] AS words, '{}'::text[] AS empty, cardinality($2::text[]) AS n",
                [Int64(3), -4, Int64.max], words
            ).single()
            #expect(try row.decode("ids", as: [Int64].self) == [3, -4, Int64.max])
            #expect(try row.decode("small", as: [Int].self) == [1, 2])
            #expect(try row.decode("words", as: [String].self) == words)
            #expect(try row.decode("empty", as: [String].self) == [])
            #expect(try row.decode("n", as: Int.self) == words.count)
        }
    }

    @Test func optionalArrayElementsTravelAsNull() throws {
        try TestDatabase.with(migrated: false) { db in
            let words: [String?] = ["NULL", nil, "quote\"d"]
            let numbers: [Int64?] = [nil, 5]
            let row = try db.pool.query(
                "SELECT array_to_string($1::text[], '|', '∅') AS words, array_to_string($2::int8[], '|', '∅') AS numbers", words, numbers
            ).single()
            #expect(try row.decode("words", as: String.self) == "NULL|∅|quote\"d")
            #expect(try row.decode("numbers", as: String.self) == "∅|5")
        }
    }

    @Test func nullsDecodeAsNilOnlyIntoOptionals() throws {
        try TestDatabase.with(migrated: false) { db in
            let nothing: String? = nil
            let row = try db.pool.query("SELECT NULL::int8 AS n, $1::text AS s, NULL::jsonb AS j", nothing).single()
            #expect(try row.decode("n", as: Int?.self) == nil)
            #expect(try row.decode("s", as: String?.self) == nil)
            #expect(try row.isNull("j"))
            #expect(try row.decode("j", as: PostgresJSON<Visit>?.self) == nil)
            #expect {
                try row.decode("n", as: Int.self)
            } throws: { error in
                let error = error as! PostgresError
                return error.code == .decoding && error.message.contains("'n'") && error.message.contains("NULL")
            }
            let present: Int? = 5
            #expect(try db.pool.query("SELECT $1::int8", present).single().decode(0, as: Int?.self) == 5)
        }
    }

    @Test func mismatchNamesColumnAndTypes() throws {
        try TestDatabase.with(migrated: false) { db in
            let row = try db.pool.query("SELECT 5::int8 AS amount, 1.5::numeric AS rate, 'x' AS label").single()
            let cases: [(String, () throws -> Void, [String])] = [
                ("Bool from int8", { _ = try row.decode("amount", as: Bool.self) }, ["'amount'", "int8", "Bool"]),
                ("Int32 from int8", { _ = try row.decode("amount", as: Int32.self) }, ["'amount'", "int8", "Int32"]),
                ("Double from numeric", { _ = try row.decode("rate", as: Double.self) }, ["'rate'", "numeric", "Double"]),
                ("Int from text", { _ = try row.decode("label", as: Int.self) }, ["'label'", "text", "Int"]),
                ("missing column", { _ = try row.decode("nope", as: Int.self) }, ["no column 'nope'"]),
            ]
            for (name, decode, fragments) in cases {
                do {
                    try decode()
                    Issue.record("\(name): decoded without error")
                } catch let error as PostgresError {
                    #expect(error.code == .decoding, "\(name)")
                    for fragment in fragments { #expect(error.message.contains(fragment), "\(name): \(error.message)") }
                }
            }
        }
    }
}
