public import Foundation

/// The rules every name and note from users follows before it is stored: valid UTF-8,
/// no control characters, not blank, not too long, and in NFC. Vietnamese typed on
/// some keyboards arrives decomposed (NFD: "ệ" as e + two combining marks); stored as
/// is, it would look the same but never compare or search equal to the NFC spelling.
public enum DomainText {
    /// The text to store, or the reason it is refused. `field` names the input in the
    /// error ("unit name", "model title").
    public static func clean(_ text: String, field: String, maxLength: Int = 500) throws(DomainTextError) -> String {
        if let control = text.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            throw .controlCharacter(field: field, code: control.value)
        }
        let normalized = text.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespaces)
        guard !normalized.isEmpty else { throw .blank(field: field) }
        guard normalized.count <= maxLength else { throw .tooLong(field: field, length: normalized.count, limit: maxLength) }
        return normalized
    }

    /// Decodes bytes as UTF-8 first, refusing anything else, then `clean`s them.
    public static func clean(bytes: some Collection<UInt8>, field: String, maxLength: Int = 500) throws(DomainTextError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8(field: field) }
        return try clean(text, field: field, maxLength: maxLength)
    }
}

/// Why a piece of text was refused.
public enum DomainTextError: Error, Sendable, Equatable, CustomStringConvertible {
    case notUTF8(field: String)
    case controlCharacter(field: String, code: UInt32)
    case blank(field: String)
    case tooLong(field: String, length: Int, limit: Int)

    public var description: String {
        switch self {
        case .notUTF8(let field): "the \(field) is not valid UTF-8: send text encoded as UTF-8"
        case .controlCharacter(let field, let code):
            "the \(field) contains a control character (U+\(String(code, radix: 16, uppercase: true))); remove it"
        case .blank(let field): "the \(field) is empty"
        case .tooLong(let field, let length, let limit): "the \(field) is \(length) characters long, over the limit of \(limit)"
        }
    }
}
