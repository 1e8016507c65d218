/// A Swift value that can be sent to PostgreSQL as a statement parameter or a COPY field.
///
/// Parameters travel in PostgreSQL's text input format, declared with `postgresType`,
/// so the server parses them exactly as it would a literal of that type: no value is
/// ever spliced into SQL text.
public protocol PostgresEncodable {
    /// The type the parameter is declared as; `.unknown` lets the server infer it.
    static var postgresType: PostgresType { get }
    /// The value in PostgreSQL's text input format, or `nil` for SQL NULL.
    func postgresText() throws(PostgresError) -> String?
}

extension String: PostgresEncodable {
    /// Declared `unknown`, like a quoted literal, so a string can fill a text, varchar,
    /// jsonb, enum or date parameter alike.
    public static var postgresType: PostgresType { .unknown }
    public func postgresText() -> String? { self }
}

extension Int: PostgresEncodable {
    public static var postgresType: PostgresType { .int8 }
    public func postgresText() -> String? { String(self) }
}

extension Int64: PostgresEncodable {
    public static var postgresType: PostgresType { .int8 }
    public func postgresText() -> String? { String(self) }
}

extension Int32: PostgresEncodable {
    public static var postgresType: PostgresType { .int4 }
    public func postgresText() -> String? { String(self) }
}

extension Double: PostgresEncodable {
    public static var postgresType: PostgresType { .float8 }
    public func postgresText() -> String? {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return description
    }
}

extension Bool: PostgresEncodable {
    public static var postgresType: PostgresType { .bool }
    public func postgresText() -> String? { self ? "t" : "f" }
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresType: PostgresType { Element.postgresArrayType }
    public func postgresText() throws(PostgresError) -> String? {
        var text = "{"
        for (index, element) in enumerated() {
            if index > 0 { text += "," }
            text += try element.postgresArrayLiteral()
        }
        return text + "}"
    }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresType: PostgresType { Wrapped.postgresType }
    public func postgresText() throws(PostgresError) -> String? {
        guard let self else { return nil }
        return try self.postgresText()
    }
}

/// An element type that can be sent inside a PostgreSQL array (`int8[]`, `text[]`).
public protocol PostgresArrayElement: PostgresEncodable {
    static var postgresArrayType: PostgresType { get }
}

extension PostgresArrayElement {
    /// The element as it stands inside an array literal: double-quoted, with `"` and `\`
    /// escaped, so commas, braces and the word NULL inside strings stay data.
    func postgresArrayLiteral() throws(PostgresError) -> String {
        guard let text = try postgresText() else { return "NULL" }
        if Self.postgresArrayType != .textArray || !text.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            // Numbers need no quotes; text without quotes or backslashes needs no escaping.
            return Self.postgresArrayType == .textArray ? "\"" + text + "\"" : text
        }
        var quoted = "\""
        for character in text.unicodeScalars {
            if character == "\"" || character == "\\" { quoted.unicodeScalars.append("\\") }
            quoted.unicodeScalars.append(character)
        }
        return quoted + "\""
    }
}

extension Int: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int8Array } }
extension Int64: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int8Array } }
extension Int32: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int4Array } }
extension String: PostgresArrayElement { public static var postgresArrayType: PostgresType { .textArray } }
/// `nil` elements are sent as SQL NULL inside the array.
extension Optional: PostgresArrayElement where Wrapped: PostgresArrayElement {
    public static var postgresArrayType: PostgresType { Wrapped.postgresArrayType }
}
