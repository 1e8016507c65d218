import HTTPTypes
import Hummingbird

/// Refuses a body over `limit` bytes with 413 before anything reads it, whether the
/// client announced its length or streams it.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw Problem(.contentTooLarge, "the body is \(length) bytes; this server takes at most \(limit)")
        }
        var request = request
        do {
            _ = try await request.collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Problem(.contentTooLarge, "the body is over this server's limit of \(limit) bytes")
        }
        return try await next(request, context)
    }
}
