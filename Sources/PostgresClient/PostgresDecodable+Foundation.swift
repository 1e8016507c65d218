public import Foundation

extension Date: PostgresDecodable {
    /// Reads `timestamptz`, `timestamp` (taken as UTC) and `date` (midnight UTC).
    /// `infinity` and `-infinity` become `distantFuture` and `distantPast`.
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Date {
        switch cell.type {
        case .timestamptz, .timestamp:
            try cell.requireSize(8, for: Date.self)
            return PostgresTimestamp.date(microsecondsSince2000: try cell.integer(Int64.self))
        case .date:
            try cell.requireSize(4, for: Date.self)
            let days = try cell.integer(Int32.self)
            if days == .max { return .distantFuture }
            if days == .min { return .distantPast }
            return PostgresTimestamp.date(microsecondsSince2000: Int64(days) * 86_400 * 1_000_000)
        default:
            throw cell.mismatch(Date.self, accepted: [.timestamptz, .timestamp, .date])
        }
    }
}

extension UUID: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> UUID {
        guard cell.type == .uuid else { throw cell.mismatch(UUID.self, accepted: [.uuid]) }
        try cell.requireSize(16, for: UUID.self)
        guard let bytes = cell.bytes else { throw cell.unexpectedNull(UUID.self) }
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &uuid) { $0.copyMemory(from: bytes) }
        return UUID(uuid: uuid)
    }
}

extension Data: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Data {
        guard cell.type == .bytea else { throw cell.mismatch(Data.self, accepted: [.bytea]) }
        guard let bytes = cell.bytes else { return Data() }
        return Data(bytes)
    }
}
