/// One field of a result row, in PostgreSQL's binary format, as handed to a decoder.
///
/// `bytes` points into the result's memory and is valid only during the decode call.
public struct PostgresCell {
    /// The column's name as the query named it.
    public let columnName: String
    /// The column's type as the server reports it.
    public let type: PostgresType
    /// The field's bytes in binary format; `nil` for SQL NULL.
    public let bytes: UnsafeRawBufferPointer?

    /// The error for a column whose type this decoder does not read.
    public func mismatch<T>(_ swiftType: T.Type, accepted: [PostgresType]) -> PostgresError {
        let list = accepted.map(\.description).joined(separator: ", ")
        return PostgresError(
            code: .decoding,
            message: "column '\(columnName)' is \(type) and cannot be decoded as \(swiftType)",
            hint: "\(swiftType) reads \(list); cast the column in SQL or decode it as another type"
        )
    }

    /// The error for a NULL in a column decoded as a non-optional type.
    public func unexpectedNull<T>(_ swiftType: T.Type) -> PostgresError {
        PostgresError(
            code: .decoding,
            message: "column '\(columnName)' (\(type)) is NULL but was decoded as non-optional \(swiftType)",
            hint: "decode it as \(swiftType)? or use COALESCE in SQL"
        )
    }

    /// The error for bytes that do not hold a valid value of the column's type.
    public func malformed<T>(_ swiftType: T.Type, _ why: String) -> PostgresError {
        PostgresError(
            code: .decoding,
            message: "column '\(columnName)' (\(type)) could not be decoded as \(swiftType): \(why)"
        )
    }

    /// Reads a big-endian integer at `offset`, checking that it fits.
    func integer<I: FixedWidthInteger>(_: I.Type, at offset: Int = 0) throws(PostgresError) -> I {
        guard let bytes, offset + MemoryLayout<I>.size <= bytes.count else {
            throw malformed(I.self, "the field is \(bytes?.count ?? 0) bytes, too short")
        }
        return I(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: I.self))
    }

    /// Requires the field to be exactly `size` bytes (fixed-width types).
    func requireSize<T>(_ size: Int, for swiftType: T.Type) throws(PostgresError) {
        guard bytes?.count == size else {
            throw malformed(swiftType, "expected \(size) bytes, got \(bytes?.count ?? 0)")
        }
    }
}
