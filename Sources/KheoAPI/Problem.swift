import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An RFC 9457 problem: what went wrong, for a person to act on. Every error the API
/// answers is one, as `application/problem+json`.
struct Problem: Codable, Sendable, Error {
    var type: String = "about:blank"
    var title: String
    var status: Int
    var detail: String?
    /// For a 405: the methods the path takes (sent as `Allow`, not in the body).
    var allow: String?
    /// For a refused file: each bad row with its line (an RFC 9457 extension member).
    var errors: [LineProblem]?

    struct LineProblem: Codable, Sendable {
        let line: Int
        let reason: String
    }

    enum CodingKeys: String, CodingKey { case type, title, status, detail, errors }

    init(_ status: HTTPResponse.Status, _ detail: String? = nil) {
        self.status = status.code
        title = Self.titles[status.code] ?? (status.reasonPhrase.isEmpty ? "Error \(status.code)" : status.reasonPhrase)
        self.detail = detail
    }

    static let contentType = "application/problem+json"

    /// Statuses rebuilt from a bare code carry no reason phrase.
    static let titles = [
        400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
        408: "Request Timeout", 409: "Conflict", 413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
        500: "Internal Server Error", 503: "Service Unavailable",
    ]

    static func isProblem(_ contentType: String?) -> Bool {
        contentType?.lowercased().hasPrefix(Self.contentType) ?? false
    }

    var json: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("{\"title\":\"\(title)\",\"status\":\(status)}".utf8)
    }

    var response: Response {
        let data = json
        var headers = HTTPFields()
        headers[.contentType] = Self.contentType
        if status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        if let allow { headers[.allow] = allow }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
