import HTTPTypes
import OpenAPIRuntime
import Synchronization

/// The API's operations as the generated code registered them on the router: each
/// path template with its methods. `MethodNotAllowedMiddleware` reads it to answer 405
/// with `Allow`; it is filled once, while the server starts, before any request.
final class RouteTable: Sendable {
    private let table = Mutex<[(segments: [Substring], methods: [String])]>([])

    /// Each template (`/v1/jobs/{id}`) split into segments, with the methods it takes.
    var paths: [(segments: [Substring], methods: [String])] { table.withLock { $0 } }

    func add(method: String, path: String) {
        let segments = path.split(separator: "/")
        table.withLock { paths in
            if let index = paths.firstIndex(where: { $0.segments == segments }) {
                if !paths[index].methods.contains(method) { paths[index].methods.append(method) }
            } else {
                paths.append((segments, [method]))
            }
        }
    }
}

/// Hands each operation to `inner` (the router) and notes its method and path in `table`.
struct RecordingTransport<Inner: ServerTransport>: ServerTransport {
    let inner: Inner
    let table: RouteTable

    func register(
        _ handler: @Sendable @escaping (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?),
        method: HTTPRequest.Method,
        path: String
    ) throws {
        table.add(method: method.rawValue, path: path)
        try inner.register(handler, method: method, path: path)
    }
}
