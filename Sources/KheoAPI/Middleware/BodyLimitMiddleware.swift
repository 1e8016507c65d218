import Foundation
import HTTPTypes
import Hummingbird

/// Reads a request's body, once, under three rules, before any handler sees it:
/// - over `limit` bytes it is refused with 413, whether the client announced its
///   length or streams it;
/// - a body that has not arrived within `readTimeout` is refused with 408, so a client
///   trickling bytes cannot hold a connection and its buffer for ever (Hummingbird's
///   idle timeout ends connections that send no request at all);
/// - a body must be JSON, said exactly (`StrictJSON.isJSONContentType`, else 415), with
///   no key twice in one object (400); only the file uploads the document describes
///   (`fileUploads`) take their own types instead.
///
/// It runs after `AuthMiddleware`, so nobody without a valid token gets a body read.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int
    let readTimeout: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The console reads its own forms (urlencoded or multipart, with its own limit
        // and its CSRF check before anything changes).
        if request.uri.path.hasPrefix("/console/") { return try await next(request, context) }
        // A file upload the document describes may be larger: evidence up to 5 MiB.
        let upload = FileUploads.rule(for: request.uri.path)
        let limit = max(self.limit, upload?.limit ?? 0)
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw Problem(.contentTooLarge, "the body is \(length) bytes; this server takes at most \(limit)")
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await Self.within(readTimeout) { [request] in
                var reading = request
                return try await reading.collectBody(upTo: limit)
            }
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Problem(.contentTooLarge, "the body is over this server's limit of \(limit) bytes")
        }
        request.body = .init(buffer: body)
        guard body.readableBytes > 0 else { return try await next(request, context) }
        if let upload {
            let type = request.headers[.contentType].map { $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased() }
            guard let type, upload.types.contains(type) else {
                throw Problem(.unsupportedMediaType, "send the file as Content-Type: \(upload.types.sorted().joined(separator: " or "))")
            }
            return try await next(request, context)
        }
        guard let type = request.headers[.contentType], StrictJSON.isJSONContentType(type) else {
            throw Problem(.unsupportedMediaType, "send the body as Content-Type: application/json (charset, if any, utf-8)")
        }
        if let key = StrictJSON.repeatedKey(in: body.readableBytesView) {
            throw Problem(.badRequest, "the key \"\(key.prefix(100))\" appears twice in one object: send each key once")
        }
        return try await next(request, context)
    }

    /// `work`'s result, or 408 when it takes longer than `limit`.
    static func within<Value: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
        try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw Problem(.requestTimeout, "the body did not arrive within \(limit.components.seconds) seconds")
            }
            return value
        }
    }
}

/// Paths that take a file, the types each takes (as `openapi.yaml` says), and how large.
enum FileUploads {
    struct Rule {
        let types: Set<String>
        let limit: Int
    }

    static let unitList = Rule(types: ["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"], limit: 0)
    /// A model's evidence: what offices scan and photograph, up to the domain's limit.
    static let evidence = Rule(
        types: [
            "application/pdf", "image/jpeg", "image/png", "application/octet-stream",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ],
        limit: (5 << 20) + 1
    )

    static func rule(for path: String) -> Rule? {
        if path == "/v1/units/import" { return unitList }
        let parts = path.split(separator: "/")
        if parts.count == 4, parts[0] == "v1", parts[1] == "models", parts[3] == "evidence" { return evidence }
        return nil
    }
}
