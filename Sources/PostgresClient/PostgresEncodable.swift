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
    /// One preallocated string, each element appended in place: a bulk enqueue sends
    /// eight arrays of a thousand elements, and building a string per element cost
    /// more client time than PostgreSQL spent on the insert.
    public func postgresText() throws(PostgresError) -> String? {
        var text = "{"
        text.reserveCapacity(2 + count * (Element.estimatedLiteralLength + 1))
        var first = true
        for element in self {
            if first { first = false } else { text.append(",") }
            try element.appendArrayLiteral(to: &text)
        }
        text.append("}")
        return text
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
    /// A guess at one element's literal length, to size the array's text once.
    static var estimatedLiteralLength: Int { get }
    /// Appends the element as it stands inside an array literal.
    func appendArrayLiteral(to text: inout String) throws(PostgresError)
}

extension PostgresArrayElement {
    public static var estimatedLiteralLength: Int { 8 }

    /// Numbers need no quotes; text is double-quoted with `"` and `\` escaped, so
    /// commas, braces and the word NULL inside strings stay data.
    public func appendArrayLiteral(to text: inout String) throws(PostgresError) {
        guard let value = try postgresText() else {
            text.append("NULL")
            return
        }
        guard Self.postgresArrayType == .textArray else {
            text.append(value)
            return
        }
        value.appendQuotedArrayElement(to: &text)
    }
}

extension String {
    /// Appends `"self"`, escaping only when a quote or backslash is present.
    func appendQuotedArrayElement(to text: inout String) {
        text.append("\"")
        if utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            for character in unicodeScalars {
                if character == "\"" || character == "\\" { text.unicodeScalars.append("\\") }
                text.unicodeScalars.append(character)
            }
        } else {
            text.append(self)
        }
        text.append("\"")
    }
}

extension Int: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int8Array } }
extension Int64: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int8Array } }
extension Int32: PostgresArrayElement { public static var postgresArrayType: PostgresType { .int4Array } }
extension String: PostgresArrayElement {
    public static var postgresArrayType: PostgresType { .textArray }
    public static var estimatedLiteralLength: Int { 16 }
    public func appendArrayLiteral(to text: inout String) { appendQuotedArrayElement(to: &text) }
}
/// `nil` elements are sent as SQL NULL inside the array.
extension Optional: PostgresArrayElement where Wrapped: PostgresArrayElement {
    public static var postgresArrayType: PostgresType { Wrapped.postgresArrayType }
    public static var estimatedLiteralLength: Int { Wrapped.estimatedLiteralLength }
    public func appendArrayLiteral(to text: inout String) throws(PostgresError) {
        guard let self else { return text.append("NULL") }
        try self.appendArrayLiteral(to: &text)
    }
}
