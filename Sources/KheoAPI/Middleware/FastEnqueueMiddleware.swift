import DanVan
import Foundation
import HTTPTypes
import OpenAPIRuntime

/// `POST /v1/jobs` read by the reader generated from `openapi.yaml`
/// (`GenerateJSONCoders`) instead of the generated `Decodable` code over `JSONDecoder`,
/// handled by the one handler, `enqueueJobs`, and answered by the generated writer.
///
/// Why a middleware: OpenAPIRuntime's `Converter` always decodes bodies with
/// `JSONDecoder` and encodes answers with `JSONEncoder`, and on a 1,000-job batch that
/// cost more than the INSERT. What the body may hold is still said by the document
/// alone; this only swaps the JSON reader and writer. Whatever the fast reader leaves
/// to `JSONDecoder` (see `FastJSONReading`: malformed or unusual JSON, a body the schema
/// refuses), any request with an `Idempotency-Key` (whose reading is the generated
/// server's) or an `Accept` other than JSON's or anything's go down the generated path
/// untouched.
struct FastEnqueueMiddleware: ServerMiddleware {
    let handlers: APIHandlers
    let dates: any DateTranscoder

    typealias Payload = Operations.EnqueueJobs.Input.Body.JsonPayload

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard operationID == Operations.EnqueueJobs.id else { return try await next(request, body, metadata) }
        // Who may enqueue is settled before the body is read, on either path: a caller
        // who may not learns nothing of what the schema takes.
        _ = try Principal.require(.enqueueJob)
        guard let body, request.headerFields[HTTPField.Name("Idempotency-Key")!] == nil, Self.acceptsJSON(request.headerFields[.accept]),
              request.headerFields[.contentType]?.lowercased().hasPrefix("application/json") == true
        else { return try await next(request, body, metadata) }
        // The router's body limit has already bounded it.
        let bytes = try await Data(collecting: body, upTo: .max)
        guard let payload = FastJSONReading.read(bytes, dates: dates, Payload.init(fastJSON:_:)) else {
            return try await next(request, HTTPBody(bytes), metadata)
        }
        return try Self.response(try await handlers.enqueueJobs(.init(body: .json(payload))))
    }

    /// An `Accept` the created answer satisfies as it is; others are the generated
    /// server's to negotiate.
    static func acceptsJSON(_ accept: String?) -> Bool {
        guard let accept else { return true }
        return ["*/*", "application/json", "application/*"].contains(accept.lowercased())
    }

    /// The output as the generated server sends it: the created ids as JSON, every
    /// refusal as the problem `ProblemMiddleware` renders.
    static func response(_ output: Operations.EnqueueJobs.Output) throws -> (HTTPResponse, HTTPBody?) {
        let problem: Components.Schemas.Problem
        switch output {
        case .created(let created):
            let enqueued = try created.body.json
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return (HTTPResponse(status: .created, headerFields: headers), HTTPBody(enqueued.fastJSON()))
        case .badRequest(let refused): problem = try refused.body.applicationProblemJson
        case .unauthorized(let refused): problem = try refused.body.applicationProblemJson
        case .forbidden(let refused): problem = try refused.body.applicationProblemJson
        case .notFound(let refused): problem = try refused.body.applicationProblemJson
        case .conflict(let refused): problem = try refused.body.applicationProblemJson
        case .contentTooLarge(let refused): problem = try refused.body.applicationProblemJson
        case .undocumented(let status, _): throw Problem(.init(code: status))
        }
        throw Problem(.init(code: problem.status), problem.detail)
    }
}
