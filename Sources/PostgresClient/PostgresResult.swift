internal import CLibPQ

/// The rows (or the command status) a statement returned.
///
/// Owns libpq's `PGresult` and frees it when the last reference goes. A `PGresult` is
/// never modified after libpq hands it over, and libpq documents it as safe to read
/// from any thread, which is why this class may be `@unchecked Sendable`.
public final class PostgresResult: @unchecked Sendable, RandomAccessCollection {
    let raw: OpaquePointer
    /// Column names in order, read once.
    public let columnNames: [String]
    private let columnTypes: [PostgresType]
    private let columnIndex: [String: Int]

    init(raw: OpaquePointer) {
        self.raw = raw
        let count = Int(PQnfields(raw))
        var names: [String] = []
        var types: [PostgresType] = []
        var index: [String: Int] = [:]
        for column in 0..<count {
            let name = PQfname(raw, Int32(column)).map { String(cString: $0) } ?? ""
            names.append(name)
            types.append(PostgresType(oid: PQftype(raw, Int32(column))))
            if index[name] == nil { index[name] = column }
        }
        self.columnNames = names
        self.columnTypes = types
        self.columnIndex = index
    }

    deinit { PQclear(raw) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { Int(PQntuples(raw)) }
    public subscript(position: Int) -> PostgresRow { PostgresRow(result: self, index: position) }

    /// Rows inserted, updated, deleted or copied, from the command tag (0 where it has none).
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(raw))) ?? 0 }

    /// The only row, or an error saying how many there were.
    public func single() throws(PostgresError) -> PostgresRow {
        guard count == 1 else {
            throw PostgresError(code: .decoding, message: "expected exactly one row, got \(count)")
        }
        return self[0]
    }

    func columnPosition(named name: String) throws(PostgresError) -> Int {
        guard let position = columnIndex[name] else {
            throw PostgresError(
                code: .decoding,
                message: "the result has no column '\(name)'",
                hint: "its columns are: \(columnNames.joined(separator: ", "))"
            )
        }
        return position
    }

    func cell(row: Int, column: Int) throws(PostgresError) -> PostgresCell {
        guard columnTypes.indices.contains(column) else {
            throw PostgresError(
                code: .decoding,
                message: "column index \(column) is out of range; the result has \(columnTypes.count) columns"
            )
        }
        let name = columnNames[column]
        if PQgetisnull(raw, Int32(row), Int32(column)) == 1 {
            return PostgresCell(columnName: name, type: columnTypes[column], bytes: nil)
        }
        let length = Int(PQgetlength(raw, Int32(row), Int32(column)))
        let start = UnsafeRawPointer(PQgetvalue(raw, Int32(row), Int32(column)))
        return PostgresCell(
            columnName: name,
            type: columnTypes[column],
            bytes: UnsafeRawBufferPointer(start: start, count: length)
        )
    }
}

/// One row of a `PostgresResult`; keeps the result alive while it is used.
public struct PostgresRow: Sendable {
    public let result: PostgresResult
    public let index: Int

    /// Decodes the column at `column` (0-based) as `T`.
    public func decode<T: PostgresDecodable>(_ column: Int, as type: T.Type = T.self) throws(PostgresError) -> T {
        let cell = try result.cell(row: index, column: column)
        return cell.bytes == nil ? try T.decodeNull(from: cell) : try T.decode(from: cell)
    }

    /// Decodes the column named `column` as `T`.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws(PostgresError) -> T {
        try decode(try result.columnPosition(named: column), as: type)
    }

    /// Decodes a `json`/`jsonb` column into a `Decodable` value.
    public func decodeJSON<T: Decodable>(_ column: String, as type: T.Type = T.self) throws(PostgresError) -> T {
        try decode(column, as: PostgresJSON<T>.self).value
    }

    /// Whether the column holds SQL NULL.
    public func isNull(_ column: String) throws(PostgresError) -> Bool {
        try result.cell(row: index, column: try result.columnPosition(named: column)).bytes == nil
    }
}
