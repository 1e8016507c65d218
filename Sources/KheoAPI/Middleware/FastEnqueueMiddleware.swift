import DanVan
import Foundation
import HTTPTypes
import OpenAPIRuntime

/// `POST /v1/jobs` without an `Idempotency-Key`, decoded by hand.
///
/// The generated decoder spends most of a 1,000-job request's time proving each job
/// has no unknown field (about 27 ms of 35 here), and any `Decodable` pays for type
/// metadata lookups on every field. This path parses with `JSONSerialization` and
/// accepts only what the generated one accepts: the document's fields and no others,
/// of the same types. Anything it does not recognise (an unknown key, `runAt`, a
/// wrong type, malformed JSON) goes down the generated path untouched, which answers
/// it as the document says. A kind is taken as any string: the handler both paths end
/// in, `APIHandlers.enqueue`, refuses every kind that is not public, naming it.
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
        let principal = try Principal.require(.enqueueJob)
        switch try await handlers.enqueue(jobs, key: nil, canonical: "", principal: principal) {
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
        case .notFound(let refused):
            guard case .applicationProblemJson(let problem) = refused.body else { break }
            throw Problem(.notFound, problem.detail)
        default: break
        }
        throw Problem(.internalServerError, "enqueueJobs answered what the fast path does not expect")
    }

    /// The jobs of a body, one or a batch, when every field is one this path knows.
    ///
    /// `JSONSerialization`, not `Decodable`: decoding through generic containers looks
    /// up type metadata for every field of every job, which cost more than the insert.
    static func decode(_ bytes: Data) -> [APIHandlers.EnqueueItem]? {
        guard let top = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any] else { return nil }
        if top.count == 1, let batch = top["jobs"] {
            guard let list = batch as? [Any] else { return nil }
            var jobs: [APIHandlers.EnqueueItem] = []
            jobs.reserveCapacity(list.count)
            for item in list {
                guard let object = item as? [String: Any], let job = job(object) else { return nil }
                jobs.append(job)
            }
            return jobs
        }
        return job(top).map { [$0] }
    }

    private static let known: Set<String> = ["kind", "args", "queue", "priority", "maxAttempts"]

    /// `JobRequest` without `runAt` (whose date forms stay with the generated path).
    private static func job(_ object: [String: Any]) -> APIHandlers.EnqueueItem? {
        for key in object.keys where !known.contains(key) { return nil }
        // Any kind: the handler refuses those producers may not enqueue, naming them.
        guard let kind = object["kind"] as? String else { return nil }
        let args: Data
        switch object["args"] {
        case nil, is NSNull: args = APIHandlers.noArgs
        case let value as [String: Any]:
            guard !value.isEmpty else {
                args = APIHandlers.noArgs
                break
            }
            guard let data = try? JSONSerialization.data(withJSONObject: value) else { return nil }
            args = data
        default: return nil
        }
        var queue: String?
        switch object["queue"] {
        case nil, is NSNull: queue = nil
        case let value as String: queue = value
        default: return nil
        }
        guard let priority = integer(object["priority"]), let maxAttempts = integer(object["maxAttempts"]) else { return nil }
        return APIHandlers.EnqueueItem(kind: kind, args: args, queue: queue, priority: priority.value, runAt: nil, maxAttempts: maxAttempts.value)
    }

    /// An absent or null field (`.some(nil)`), an integer (`.some(n)`), or anything else
    /// (nil: the generated path decides). Booleans and fractions are not integers.
    private static func integer(_ value: Any?) -> (value: Int?, ())? {
        switch value {
        case nil, is NSNull: return (nil, ())
        case let number as NSNumber:
            let type = String(cString: number.objCType)
            guard ["q", "l", "i", "s"].contains(type) else { return nil }
            return (number.intValue, ())
        default: return nil
        }
    }
}
