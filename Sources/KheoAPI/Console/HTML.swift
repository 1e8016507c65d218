import DanVan
import OfficeFiles

/// A fragment of HTML. Interpolating a `String` escapes it; interpolating `HTML` puts it
/// in as it is. So a page is written as ordinary interpolated text, and anything that
/// came from a user or the database is escaped unless someone deliberately wraps it
/// in `HTML(unsafe:)`, which only this module's own markup does.
struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    private(set) var text: String

    init(unsafe text: String) { self.text = text }
    init(stringLiteral value: String) { text = value }
    init(stringInterpolation: Interpolation) { text = stringInterpolation.text }

    static let empty = HTML(unsafe: "")

    var description: String { text }

    /// `items` one after another.
    static func join(_ items: [HTML], separator: String = "") -> HTML {
        HTML(unsafe: items.map(\.text).joined(separator: separator))
    }

    /// `items` mapped through `body`, one after another.
    static func each<S: Sequence>(_ items: S, _ body: (S.Element) throws -> HTML) rethrows -> HTML {
        HTML(unsafe: try items.map { try body($0).text }.joined())
    }

    /// `html` when `condition` holds, else nothing.
    static func when(_ condition: Bool, _ html: @autoclosure () -> HTML) -> HTML { condition ? html() : .empty }

    struct Interpolation: StringInterpolationProtocol {
        var text = ""

        init(literalCapacity: Int, interpolationCount: Int) { text.reserveCapacity(literalCapacity + interpolationCount * 16) }
        mutating func appendLiteral(_ literal: String) { text += literal }
        mutating func appendInterpolation(_ value: String) { text += HTML.escape(value) }
        mutating func appendInterpolation(_ value: Substring) { text += HTML.escape(String(value)) }
        mutating func appendInterpolation(_ value: HTML) { text += value.text }
        mutating func appendInterpolation(_ value: Int) { text += String(value) }
        mutating func appendInterpolation(_ value: Int64) { text += String(value) }
        mutating func appendInterpolation(_ value: [HTML]) { text += value.map(\.text).joined() }
        mutating func appendInterpolation(_ value: HTML?) { text += value?.text ?? "" }
    }

    /// Escapes the five characters that matter in text and in quoted attribute values,
    /// as the domain's reports do.
    static func escape(_ value: String) -> String { DocumentHTML.escape(value) }
}
