import HTTPTypes
import Hummingbird

/// The headers a file download needs that the OpenAPI runtime cannot write as they
/// must read: it percent-encodes header values, which would turn ETag's quotes and
/// Content-Disposition's `; filename="…"` into `%22` and `%3B`. A response that
/// carries `Digest-SHA256` (evidence, documents) gets the same checksum as a strong
/// ETag, and a document's file a name to save it under.
struct FileHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var digest: HTTPField.Name { HTTPField.Name("Digest-SHA256")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard let sha = response.headers[Self.digest], sha.allSatisfy(\.isHexDigit) else { return response }
        response.headers[.eTag] = "\"\(sha)\""
        // /v1/documents/{id}/files/{format}
        let parts = request.uri.path.split(separator: "/")
        if parts.count == 5, parts[0] == "v1", parts[1] == "documents", parts[3] == "files", let id = Int64(parts[2]),
           parts[4].allSatisfy({ $0.isASCII && $0.isLetter }) {
            response.headers[.contentDisposition] = "attachment; filename=\"van-ban-\(id).\(parts[4])\""
        }
        return response
    }
}
