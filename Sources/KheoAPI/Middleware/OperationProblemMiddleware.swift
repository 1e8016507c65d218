import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import PostgresClient

/// Inside the generated server: turns what an operation throws into a problem
/// document. A request the schema refuses answers 400 naming the field at fault; a
/// `Problem` a handler throws answers as itself; anything else is logged and answers
/// 500 without details. (OpenAPIRuntime's `ErrorHandlingMiddleware` does the first
/// two without saying which field.)
struct OperationProblemMiddleware: ServerMiddleware {
    let logger: Logger

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        do {
            return try await next(request, body, metadata)
        } catch let error as ServerError {
            if let problem = error.underlyingError as? Problem { return Self.render(problem) }
            if let database = error.underlyingError as? PostgresError, database.code == .encoding || ["22021", "22P05"].contains(database.sqlState) {
                // Text PostgreSQL cannot hold (a NUL character): the client's to fix.
                return Self.render(Problem(.badRequest, "a text value holds a character that cannot be stored (NUL): remove it"))
            }
            if Problem.isDatabaseUnavailable(error.underlyingError) {
                logger.warning("database unreachable: answered 503", metadata: ["operation": "\(operationID)", "error": "\(error.underlyingError)"])
                return Self.render(Problem.databaseUnavailable)
            }
            if error.httpStatus.code < 500 || Self.isInputError(error.underlyingError) {
                return Self.render(Problem(.badRequest, Self.explain(error.underlyingError)))
            }
            logger.error("operation failed", metadata: ["operation": "\(operationID)", "error": "\(error.underlyingError)"])
            return Self.render(Problem(.internalServerError, "the server failed; the error is in its log"))
        }
    }

    static func render(_ problem: Problem) -> (HTTPResponse, HTTPBody?) {
        var headers = HTTPFields()
        headers[.contentType] = Problem.contentType
        if problem.status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        if let retryAfter = problem.retryAfter { headers[.retryAfter] = String(retryAfter) }
        return (HTTPResponse(status: .init(code: problem.status), headerFields: headers), HTTPBody(problem.json))
    }

    static func isInputError(_ error: any Error) -> Bool {
        error is DecodingError || String(describing: type(of: error)).contains("Decoding")
    }

    /// Which field was wrong and how, in the document's terms (JSON types and field
    /// paths), never in the server's: no Swift type, no generated name, no error type.
    static func explain(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else {
            let text = String(describing: error)
            return "the request was refused: " + publicText(String(text.split(separator: "\n").first ?? "").prefix(300).description)
        }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "the request" : String(keys.drop(while: { $0 == "." }))
        }
        switch decoding {
        case .typeMismatch(let type, let context): return "\(path(context)): expected \(jsonType(type))"
        case .valueNotFound(let type, let context):
            // A oneOf that matched none of its shapes: say what each shape found wrong.
            if String(describing: type).hasSuffix("Payload"), let underlying = context.underlyingError {
                return "\(path(context)) matches none of the shapes the schema allows (see /openapi.yaml): \(explainAll(underlying))"
            }
            return "\(path(context)): \(jsonType(type)) is required"
        case .keyNotFound(let key, let context): return "\(path(context)): the field \(key.stringValue) is required"
        case .dataCorrupted(let context):
            let text = context.debugDescription
            if let range = text.range(of: "from invalid String value ") {
                return "\(path(context)): \"\(text[range.upperBound...].prefix(200))\" is not one of the values the schema allows (see /openapi.yaml)"
            }
            return "\(path(context)): \(publicText(text))"
        @unknown default: return "the body does not follow the schema"
        }
    }

    /// Each attempt's fault, for an error that gathers several (a oneOf's): the
    /// decoding errors found inside it, explained one by one.
    static func explainAll(_ error: any Error) -> String {
        var found: [DecodingError] = []
        func collect(_ value: Any, depth: Int) {
            if let decoding = value as? DecodingError {
                found.append(decoding)
                return
            }
            guard depth < 4 else { return }
            for child in Mirror(reflecting: value).children { collect(child.value, depth: depth + 1) }
        }
        collect(error, depth: 0)
        guard !found.isEmpty else { return "the body does not follow the schema" }
        return found.prefix(4).map(explain).joined(separator: "; ")
    }

    /// A Swift type as the JSON it stands for.
    static func jsonType(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if ["Int", "Int8", "Int16", "Int32", "Int64", "UInt", "UInt8", "UInt16", "UInt32", "UInt64"].contains(name) { return "an integer" }
        if ["Double", "Float", "Decimal"].contains(name) { return "a number" }
        if name == "String" { return "a string" }
        if name == "Bool" { return "true or false" }
        if name.hasPrefix("Array") || name.hasPrefix("[") { return "an array" }
        if name == "Date" { return "a date-time (RFC 3339)" }
        return "an object"
    }

    /// Text from a library with the server's own names replaced by the document's.
    static func publicText(_ text: String) -> String {
        var text = text
        let replacements: [(String, String)] = [
            (#"\b(Swift\.)?U?Int(8|16|32|64)?\b"#, "integer"), (#"\b(Swift\.)?(Double|Float)\b"#, "number"),
            (#"\b(Swift\.)?String\b"#, "string"), (#"\b(Swift\.)?Bool\b"#, "boolean"),
            (#"\b(Components|Operations)(\.\w+)+"#, "the schema"), (#"\b\w*(Error|Payload|CodingKeys)\b(\(\w*\))?"#, "error"),
            (#"\bOptional<[^>]*>"#, "value"),
        ]
        for (pattern, replacement) in replacements {
            text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return text
    }
}
