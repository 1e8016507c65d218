import Foundation
import HTTPTypes
import OpenAPIRuntime

/// `POST /v1/jobs` without an `Idempotency-Key`, decoded by hand.
///
/// The generated decoder spends most of a 1,000-job request's time proving each job
/// has no unknown field (about 27 ms of 35 here); a plain `Decodable` that checks the
/// same keys does it in 4. This path accepts only what the generated one accepts, for
/// the same reasons: the document's fields and no others, of the same types, through
/// the same `JSONDecoder`. Anything it does not recognise (an unknown key, `runAt`, a
/// wrong type, malformed JSON, an unknown kind) goes down the generated path
/// untouched, which answers it as the document says. Both paths end in the same
/// handler, `enqueueJobs`.
struct FastEnqueueMiddleware: ServerMiddleware {
    let handlers: APIHandlers

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard operationID == "enqueueJobs", let body, request.headerFields[HTTPField.Name("Idempotency-Key")!] == nil,
              request.headerFields[.contentType]?.lowercased().hasPrefix("application/json") == true
        else { return try await next(request, body, metadata) }
        // The router's body limit has already bounded it.
        let bytes = try await Data(collecting: body, upTo: .max)
        guard let jobs = Self.decode(bytes) else { return try await next(request, HTTPBody(bytes), metadata) }
        let input = Operations.EnqueueJobs.Input(body: .json(.JobBatch(.init(jobs: jobs))))
        switch try await handlers.enqueueJobs(input) {
        case .created(let created):
            guard case .json(let enqueued) = created.body else { break }
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            // `{"ids":[…]}` written out: JSONEncoder's generic path costs more than the insert.
            var json = "{\"ids\":["
            json.reserveCapacity(12 + enqueued.ids.count * 12)
            for (index, id) in enqueued.ids.enumerated() {
                if index > 0 { json += "," }
                json += String(id)
            }
            json += "]}"
            return (HTTPResponse(status: .created, headerFields: headers), HTTPBody(json))
        case .badRequest(let refused):
            guard case .applicationProblemJson(let problem) = refused.body else { break }
            throw Problem(.badRequest, problem.detail)
        default: break
        }
        throw Problem(.internalServerError, "enqueueJobs answered what the fast path does not expect")
    }

    /// The jobs of a body, one or a batch, when every field is one this path knows.
    static func decode(_ bytes: Data) -> [Components.Schemas.JobRequest]? {
        guard let decoded = try? JSONDecoder().decode(Body.self, from: bytes) else { return nil }
        return decoded.jobs
    }

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init(stringValue: String) { self.init(stringValue) }
        init?(intValue: Int) { nil }
    }

    private struct Unrecognised: Error {}

    private struct Body: Decodable {
        let jobs: [Components.Schemas.JobRequest]

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            if container.allKeys.count == 1, container.allKeys[0].stringValue == "jobs" {
                jobs = try container.decode([Job].self, forKey: Key("jobs")).map(\.request)
            } else {
                jobs = [try Job(from: decoder).request]
            }
        }
    }

    /// `JobRequest` without `runAt` (whose date forms stay with the generated path).
    private struct Job: Decodable {
        static let known: Set<String> = ["kind", "args", "queue", "priority", "maxAttempts"]
        let request: Components.Schemas.JobRequest

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            for key in container.allKeys where !Self.known.contains(key.stringValue) { throw Unrecognised() }
            guard let kind = Components.Schemas.JobKind(rawValue: try container.decode(String.self, forKey: Key("kind"))) else {
                throw Unrecognised()
            }
            request = Components.Schemas.JobRequest(
                kind: kind,
                args: try container.decodeIfPresent(OpenAPIObjectContainer.self, forKey: Key("args")).map { .init(additionalProperties: $0) },
                queue: try container.decodeIfPresent(String.self, forKey: Key("queue")),
                priority: try container.decodeIfPresent(Int.self, forKey: Key("priority")),
                maxAttempts: try container.decodeIfPresent(Int.self, forKey: Key("maxAttempts"))
            )
        }
    }
}
