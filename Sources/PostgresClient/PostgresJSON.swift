import Foundation

/// A `Codable` value stored in a `json` or `jsonb` column.
///
/// Sent as `jsonb`; read from either type. Encoding and decoding use Foundation's
/// JSON coders with their default strategies, so what one Kheo process writes any
/// other reads back the same.
public struct PostgresJSON<Value> {
    public var value: Value

    public init(_ value: Value) { self.value = value }
}

extension PostgresJSON: Sendable where Value: Sendable {}

extension PostgresJSON: PostgresEncodable where Value: Encodable {
    public static var postgresType: PostgresType { .jsonb }

    public func postgresText() throws(PostgresError) -> String? {
        do {
            let data = try JSONEncoder().encode(value)
            return String(decoding: data, as: UTF8.self)
        } catch {
            throw PostgresError(code: .encoding, message: "could not encode \(Value.self) as JSON: \(error)")
        }
    }
}

extension PostgresJSON: PostgresDecodable where Value: Decodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> PostgresJSON<Value> {
        guard cell.type == .json || cell.type == .jsonb else {
            throw cell.mismatch(Self.self, accepted: [.json, .jsonb])
        }
        let text = try String.decode(from: cell)
        do {
            return PostgresJSON(try JSONDecoder().decode(Value.self, from: Data(text.utf8)))
        } catch {
            throw cell.malformed(Value.self, "the JSON does not match: \(error)")
        }
    }
}
