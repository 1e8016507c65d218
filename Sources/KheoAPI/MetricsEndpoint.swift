import Hummingbird
import NIOCore

/// The Prometheus exposition, answered one way wherever it is served: on the API's
/// router (`GET /metrics`, for operators) and on a metrics port of its own
/// (`MetricsServer`, for a scraper inside the network).
enum MetricsEndpoint {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The registry rendered now.
    static func response(_ render: () -> [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: render())))
    }
}
