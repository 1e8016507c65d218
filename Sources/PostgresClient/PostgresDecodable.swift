/// A Swift type that can be read from a result column in PostgreSQL's binary format.
///
/// Decoders are strict about types: an `int8` column is not silently read as `Bool`,
/// and a mismatch is a `PostgresError` naming the column and both types.
public protocol PostgresDecodable {
    /// Decodes a non-NULL field.
    static func decode(from cell: PostgresCell) throws(PostgresError) -> Self
    /// Decodes SQL NULL: an error, except for optionals.
    static func decodeNull(from cell: PostgresCell) throws(PostgresError) -> Self
}

extension PostgresDecodable {
    public static func decodeNull(from cell: PostgresCell) throws(PostgresError) -> Self {
        throw cell.unexpectedNull(Self.self)
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Self {
        try Wrapped.decode(from: cell)
    }

    public static func decodeNull(from cell: PostgresCell) -> Self { nil }
}

extension Int64: PostgresDecodable {
    /// Reads any integer column (`int2`, `int4`, `int8`, `oid`), widening as needed.
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Int64 {
        switch cell.type {
        case .int8: try cell.requireSize(8, for: Int64.self); return try cell.integer(Int64.self)
        case .int4: try cell.requireSize(4, for: Int64.self); return Int64(try cell.integer(Int32.self))
        case .int2: try cell.requireSize(2, for: Int64.self); return Int64(try cell.integer(Int16.self))
        case .oidType: try cell.requireSize(4, for: Int64.self); return Int64(try cell.integer(UInt32.self))
        default: throw cell.mismatch(Int64.self, accepted: [.int2, .int4, .int8, .oidType])
        }
    }
}

extension Int: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Int {
        Int(try Int64.decode(from: cell))
    }
}

extension Int32: PostgresDecodable {
    /// Reads `int2` and `int4`; an `int8` column needs `Int64` (or a cast), since it may not fit.
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Int32 {
        switch cell.type {
        case .int4: try cell.requireSize(4, for: Int32.self); return try cell.integer(Int32.self)
        case .int2: try cell.requireSize(2, for: Int32.self); return Int32(try cell.integer(Int16.self))
        default: throw cell.mismatch(Int32.self, accepted: [.int2, .int4])
        }
    }
}

extension Double: PostgresDecodable {
    /// Reads `float8` and `float4`. `numeric` is refused rather than rounded silently:
    /// cast it to float8 in SQL, or decode it as `String`.
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Double {
        switch cell.type {
        case .float8:
            try cell.requireSize(8, for: Double.self)
            return Double(bitPattern: try cell.integer(UInt64.self))
        case .float4:
            try cell.requireSize(4, for: Double.self)
            return Double(Float(bitPattern: try cell.integer(UInt32.self)))
        default: throw cell.mismatch(Double.self, accepted: [.float4, .float8])
        }
    }
}

extension Bool: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Bool {
        guard cell.type == .bool else { throw cell.mismatch(Bool.self, accepted: [.bool]) }
        try cell.requireSize(1, for: Bool.self)
        return try cell.integer(UInt8.self) != 0
    }
}

extension String: PostgresDecodable {
    /// Reads the character types, `name`, and JSON as its text (jsonb's version byte dropped).
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> String {
        guard AcceptedTypes.text.contains(cell.type) else { throw cell.mismatch(String.self, accepted: AcceptedTypes.text) }
        guard var bytes = cell.bytes else { return "" }
        if cell.type == .jsonb {
            guard bytes.first == 1 else { throw cell.malformed(String.self, "unknown jsonb format version") }
            bytes = UnsafeRawBufferPointer(rebasing: bytes.dropFirst())
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw cell.malformed(String.self, "the text is not valid UTF-8 (is client_encoding UTF8?)")
        }
        return text
    }
}

extension Array: PostgresDecodable where Element: PostgresArrayDecodable {
    /// Reads a one-dimensional array (an empty array too). NULL elements are refused.
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> [Element] {
        guard Element.acceptedArrayTypes.contains(cell.type) else {
            throw cell.mismatch([Element].self, accepted: Element.acceptedArrayTypes)
        }
        // Header: dimensions, has-nulls flag, element type; then per dimension: length, lower bound.
        let dimensions = try cell.integer(Int32.self, at: 0)
        let elementType = PostgresType(oid: try cell.integer(UInt32.self, at: 8))
        if dimensions == 0 { return [] }
        guard dimensions == 1 else {
            throw cell.malformed([Element].self, "it has \(dimensions) dimensions; only one is supported")
        }
        let count = Int(try cell.integer(Int32.self, at: 12))
        var offset = 20
        var elements: [Element] = []
        elements.reserveCapacity(count)
        guard let base = cell.bytes else { return [] }
        for _ in 0..<count {
            let length = Int(try cell.integer(Int32.self, at: offset))
            offset += 4
            guard length >= 0 else {
                throw cell.malformed([Element].self, "it holds a NULL element; filter NULLs out or use array_remove")
            }
            guard offset + length <= base.count else {
                throw cell.malformed([Element].self, "an element runs past the end of the field")
            }
            let slice = UnsafeRawBufferPointer(rebasing: base[offset..<(offset + length)])
            let element = PostgresCell(columnName: cell.columnName, type: elementType, bytes: slice)
            elements.append(try Element.decode(from: element))
            offset += length
        }
        return elements
    }
}

/// An element type that can be read from a PostgreSQL array column.
public protocol PostgresArrayDecodable: PostgresDecodable {
    static var acceptedArrayTypes: [PostgresType] { get }
}

extension Int64: PostgresArrayDecodable {
    public static var acceptedArrayTypes: [PostgresType] { AcceptedTypes.integerArrays }
}

extension Int: PostgresArrayDecodable {
    public static var acceptedArrayTypes: [PostgresType] { AcceptedTypes.integerArrays }
}

extension String: PostgresArrayDecodable {
    public static var acceptedArrayTypes: [PostgresType] { AcceptedTypes.textArrays }
}

/// Column types the decoders accept, built once: decoders run for every field of every
/// row, so they must not allocate a fresh list on each call.
private enum AcceptedTypes {
    static let text: [PostgresType] = [.text, .varchar, .bpchar, .name, .char, .unknownLiteral, .json, .jsonb]
    static let integerArrays: [PostgresType] = [.int8Array, .int4Array, .int2Array]
    static let textArrays: [PostgresType] = [.textArray, .varcharArray]
}
