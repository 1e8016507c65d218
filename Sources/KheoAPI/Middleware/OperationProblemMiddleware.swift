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
        return (HTTPResponse(status: .init(code: problem.status), headerFields: headers), HTTPBody(problem.json))
    }

    static func isInputError(_ error: any Error) -> Bool {
        error is DecodingError || String(describing: type(of: error)).contains("Decoding")
    }

    /// Which field was wrong and how, from a decoding error; the first line of any
    /// other error's description.
    static func explain(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else {
            let text = String(describing: error)
            return "the request was refused: " + String(text.split(separator: "\n").first ?? "").prefix(300)
        }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "the request" : String(keys.drop(while: { $0 == "." }))
        }
        switch decoding {
        case .typeMismatch(let type, let context): return "\(path(context)): expected \(Self.name(type)); \(context.debugDescription)"
        case .valueNotFound(let type, let context):
            // A oneOf that matched none of its shapes: say what the shapes were.
            if Self.name(type).hasSuffix("Payload"), let underlying = context.underlyingError {
                return "\(path(context)) matches none of the shapes the schema allows (see /openapi.yaml): \(Self.explainAll(underlying))"
            }
            return "\(path(context)): a \(Self.name(type)) is required"
        case .keyNotFound(let key, let context): return "\(path(context)): the field \(key.stringValue) is required"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "the body does not follow the schema"
        }
    }

    /// Each attempt's fault, for an error that gathers several (a oneOf's).
    static func explainAll(_ error: any Error) -> String {
        let text = String(describing: error)
        return String(text.split(separator: "\n").prefix(4).joined(separator: "; ").prefix(600))
    }

    static func name(_ type: Any.Type) -> String {
        let name = String(describing: type)
        return name.split(separator: ".").last.map(String.init) ?? name
    }
}
