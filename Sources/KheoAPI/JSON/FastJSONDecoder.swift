import Foundation
import OpenAPIRuntime

/// Runs a type's own `Decodable` conformance (here, the code generated from
/// `openapi.yaml`) over `FastJSONValue` instead of Foundation's `JSONDecoder`.
///
/// Why: a 1,000-job `POST /v1/jobs` spent most of its time inside `JSONDecoder`'s
/// containers (building a dictionary per object, twice per job once the generated code
/// checks for unknown keys), more than the INSERT it leads to. This decoder knows no
/// schema: what a body may hold is still decided by the generated types alone, so the
/// API keeps one description of its requests.
///
/// It either returns exactly what `JSONDecoder` (configured as OpenAPIRuntime's
/// `Converter` configures it) would return for the same bytes, or nil. It returns nil
/// when decoding throws, and whenever it meets something whose reading it leaves to
/// `JSONDecoder` (see `FastJSONValue`; also integers of other widths out of range,
/// `Float`, `Data`, `URL`, `Decimal`, `superDecoder`). A nil sends the bytes down the
/// generated path, which answers as the document says, with `JSONDecoder`'s errors.
/// Errors thrown inside never leave it, so they carry no coding path.
enum FastJSONDecoder {
    static func decode<T: Decodable>(_ type: T.Type, from bytes: Data, dates: any DateTranscoder) -> T? {
        guard let value = FastJSONValue.parse(bytes) else { return nil }
        let state = State(dates: dates)
        do {
            let decoded = try T(from: ValueDecoder(value: value, state: state))
            return state.gaveUp ? nil : decoded
        } catch {
            return nil
        }
    }

    /// Shared by every decoder of one document. `gaveUp` is how a reading left to
    /// `JSONDecoder` reaches the top even when generated code catches the error (a
    /// `oneOf` tries its cases; `OpenAPIValueContainer` tries types with `try?`).
    final class State {
        let dates: any DateTranscoder
        var gaveUp = false
        init(dates: any DateTranscoder) { self.dates = dates }

        func giveUp() -> any Error {
            gaveUp = true
            return GaveUp()
        }
    }

    struct GaveUp: Error {}

    static func mismatch(_ type: Any.Type, _ value: FastJSONValue) -> DecodingError {
        if case .null = value {
            return .valueNotFound(type, .init(codingPath: [], debugDescription: "found null"))
        }
        return .typeMismatch(type, .init(codingPath: [], debugDescription: "found \(value.kindName)"))
    }

    struct ValueDecoder: Decoder, SingleValueDecodingContainer {
        let value: FastJSONValue
        let state: State
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            guard case .object(let members) = value else { throw FastJSONDecoder.mismatch([String: Any].self, value) }
            return KeyedDecodingContainer(KeyedContainer<Key>(members: members, state: state))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            guard case .array(let elements) = value else { throw FastJSONDecoder.mismatch([Any].self, value) }
            return UnkeyedContainer(elements: elements, state: state)
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

        func decodeNil() -> Bool {
            if case .null = value { return true }
            return false
        }

        func decode(_ type: Bool.Type) throws -> Bool {
            guard case .bool(let bool) = value else { throw FastJSONDecoder.mismatch(type, value) }
            return bool
        }

        func decode(_ type: String.Type) throws -> String {
            guard case .string(let string) = value else { throw FastJSONDecoder.mismatch(type, value) }
            return string
        }

        func decode(_ type: Double.Type) throws -> Double {
            switch value {
            case .integer(let integer): return Double(integer)
            case .fraction(let double): return double
            default: throw FastJSONDecoder.mismatch(type, value)
            }
        }

        func decode(_ type: Float.Type) throws -> Float { throw state.giveUp() }
        func decode(_ type: Int.Type) throws -> Int { try integer(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

        /// Any integer literal within `T`'s range. A number with a fractional part is no
        /// integer to either reader (`OpenAPIValueContainer` tries `Int` before
        /// `Double`, so this is common); other numbers written with a fraction or an
        /// exponent, and values out of range, are `JSONDecoder`'s to read (it takes
        /// `1.0` and `1e2` as integers).
        func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
            switch value {
            case .integer(let integer):
                guard let exact = T(exactly: integer) else { throw state.giveUp() }
                return exact
            case .fraction(let double):
                guard double.rounded(.towardZero) != double else { throw state.giveUp() }
                throw FastJSONDecoder.mismatch(type, value)
            default: throw FastJSONDecoder.mismatch(type, value)
            }
        }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            // The types JSONDecoder reads its own way, not by their conformance.
            if type == Date.self {
                // As the Converter's strategy: a string, read by the date transcoder.
                guard case .string(let string) = value else { throw FastJSONDecoder.mismatch(type, value) }
                guard let date = try? state.dates.decode(string) else { throw state.giveUp() }
                return date as! T
            }
            if type == Data.self || type == URL.self || type == Decimal.self { throw state.giveUp() }
            return try T(from: self)
        }
    }

    struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let members: [(key: String, value: FastJSONValue)]
        let state: State
        var codingPath: [any CodingKey] { [] }

        var allKeys: [Key] { members.compactMap { Key(stringValue: $0.key) } }

        /// Objects here hold a handful of members: a scan beats hashing every key.
        func member(_ key: Key) -> FastJSONValue? {
            let name = key.stringValue
            for member in members where member.key == name { return member.value }
            return nil
        }

        func contains(_ key: Key) -> Bool { member(key) != nil }

        func decoder(for key: Key) throws -> ValueDecoder {
            guard let value = member(key) else {
                throw DecodingError.keyNotFound(key, .init(codingPath: [], debugDescription: "no member \(key.stringValue)"))
            }
            return ValueDecoder(value: value, state: state)
        }

        func decodeNil(forKey key: Key) throws -> Bool { try decoder(for: key).decodeNil() }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder(for: key).decode(type) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder(for: key).decode(type) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder(for: key).decode(type) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decoder(for: key).decode(type) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder(for: key).decode(type) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decoder(for: key).decode(type) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decoder(for: key).decode(type) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decoder(for: key).decode(type) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder(for: key).decode(type) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decoder(for: key).decode(type) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decoder(for: key).decode(type) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decoder(for: key).decode(type) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decoder(for: key).decode(type) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoder(for: key).decode(type) }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoder(for: key).decode(type) }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try decoder(for: key).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try decoder(for: key).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder { throw state.giveUp() }
        func superDecoder(forKey key: Key) throws -> any Decoder { throw state.giveUp() }
    }

    struct UnkeyedContainer: UnkeyedDecodingContainer {
        let elements: [FastJSONValue]
        let state: State
        var currentIndex = 0
        var codingPath: [any CodingKey] { [] }
        var count: Int? { elements.count }
        var isAtEnd: Bool { currentIndex >= elements.count }

        init(elements: [FastJSONValue], state: State) {
            self.elements = elements
            self.state = state
        }

        /// The next element's decoder; the index moves on only when decoding succeeds,
        /// as `JSONDecoder`'s does.
        mutating func next<T>(_ type: T.Type, _ read: (ValueDecoder) throws -> T) throws -> T {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(type, .init(codingPath: [], debugDescription: "unkeyed container is at end"))
            }
            let value = try read(ValueDecoder(value: elements[currentIndex], state: state))
            currentIndex += 1
            return value
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(Any?.self, .init(codingPath: [], debugDescription: "unkeyed container is at end"))
            }
            guard case .null = elements[currentIndex] else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type) { try $0.decode(type) } }
        mutating func decode(_ type: String.Type) throws -> String { try next(type) { try $0.decode(type) } }
        mutating func decode(_ type: Double.Type) throws -> Double { try next(type) { try $0.decode(type) } }
        mutating func decode(_ type: Float.Type) throws -> Float { try next(type) { try $0.decode(type) } }
        mutating func decode(_ type: Int.Type) throws -> Int { try next(type) { try $0.decode(type) } }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type) { try $0.decode(type) } }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type) { try $0.decode(type) } }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type) { try $0.decode(type) } }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type) { try $0.decode(type) } }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type) { try $0.decode(type) } }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type) { try $0.decode(type) } }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type) { try $0.decode(type) } }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type) { try $0.decode(type) } }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type) { try $0.decode(type) } }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type) { try $0.decode(type) } }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try next(KeyedDecodingContainer<NestedKey>.self) { try $0.container(keyedBy: type) }
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try next((any UnkeyedDecodingContainer).self) { try $0.unkeyedContainer() }
        }

        mutating func superDecoder() throws -> any Decoder { throw state.giveUp() }
    }
}

extension FastJSONValue {
    /// As a type mismatch names what it found.
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .fraction: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
