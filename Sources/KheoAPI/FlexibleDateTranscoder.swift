import Foundation
import OpenAPIRuntime

/// RFC 3339 date-times with or without fractional seconds, as the schema's
/// `format: date-time` allows (the runtime's default takes only whole seconds).
struct FlexibleDateTranscoder: DateTranscoder {
    private static let whole = Date.ISO8601FormatStyle()
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    func encode(_ date: Date) throws -> String {
        date.formatted(Self.whole)
    }

    func decode(_ text: String) throws -> Date {
        if let date = try? Self.fractional.parse(text) { return date }
        do {
            return try Self.whole.parse(text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\"\(text.prefix(40))\" is not an RFC 3339 date-time"))
        }
    }
}
