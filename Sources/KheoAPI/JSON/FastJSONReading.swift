import Foundation
import OpenAPIRuntime

/// What the readers `GenerateJSONCoders` writes from `openapi.yaml` call: each reads one
/// value exactly as the generated `Decodable` conformance reads it through
/// `FastJSONDecoder` (and so as `JSONDecoder` does), throws a mismatch where that
/// decoding fails, and gives up (`state.gaveUp`) where `FastJSONDecoder` would leave the
/// bytes to `JSONDecoder`.
enum FastJSONReading {
    /// A member, an item or the body is not what the schema takes: `JSONDecoder`
    /// refuses it too. Cheap to make, as a `oneOf` makes one per case it rejects.
    struct Mismatch: Error {}

    static func mismatch(_ type: Any.Type, _ value: FastJSONValue) -> Mismatch { Mismatch() }

    static func members(_ value: FastJSONValue, _ state: FastJSONDecoder.State) throws -> [(key: String, value: FastJSONValue)] {
        guard case .object(let members) = value else { throw Mismatch() }
        return members
    }

    static func string(_ value: FastJSONValue, _ state: FastJSONDecoder.State) throws -> String {
        guard case .string(let string) = value else { throw Mismatch() }
        return string
    }

    static func bool(_ value: FastJSONValue, _ state: FastJSONDecoder.State) throws -> Bool {
        guard case .bool(let bool) = value else { throw Mismatch() }
        return bool
    }

    static func int(_ value: FastJSONValue, _ state: FastJSONDecoder.State) throws -> Int {
        try FastJSONDecoder.ValueDecoder(value: value, state: state).integer(Int.self)
    }

    static func int64(_ value: FastJSONValue, _ state: FastJSONDecoder.State) throws -> Int64 {
        try FastJSONDecoder.ValueDecoder(value: value, state: state).integer(Int64.self)
    }

    static func date(_ value: FastJSONValue, _ state: FastJSONDecoder.State) throws -> Date {
        try FastJSONDecoder.ValueDecoder(value: value, state: state).decode(Date.self)
    }

    static func array<T>(_ value: FastJSONValue, _ state: FastJSONDecoder.State, _ element: (FastJSONValue) throws -> T) throws -> [T] {
        guard case .array(let elements) = value else { throw Mismatch() }
        var read: [T] = []
        read.reserveCapacity(elements.count)
        for item in elements { read.append(try element(item)) }
        return read
    }

    /// A free-form object (`additionalProperties: true`), through its own conformance.
    static func decodable<T: Decodable>(_ type: T.Type, _ value: FastJSONValue, _ state: FastJSONDecoder.State) throws -> T {
        try FastJSONDecoder.ValueDecoder(value: value, state: state).decode(type)
    }

    /// One case of a `oneOf`: nil when it does not match, so the next is tried; an
    /// error once the reader has given up, which ends the search as `JSONDecoder` might
    /// have taken this case.
    static func firstMatch<T>(_ state: FastJSONDecoder.State, _ read: () throws -> T) throws -> T? {
        do {
            return try read()
        } catch {
            if state.gaveUp { throw error }
            return nil
        }
    }

    /// The generated reader's answer for `bytes`, or nil where the generated path must
    /// answer (not JSON, JSON left to `JSONDecoder`, or a body the schema refuses).
    static func read<T>(_ bytes: Data, dates: any DateTranscoder, _ reader: (FastJSONValue, FastJSONDecoder.State) throws -> T) -> T? {
        guard let value = FastJSONValue.parse(bytes) else { return nil }
        let state = FastJSONDecoder.State(dates: dates)
        guard let read = try? reader(value, state), !state.gaveUp else { return nil }
        return read
    }
}
