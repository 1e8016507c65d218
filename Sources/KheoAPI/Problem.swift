import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PostgresClient

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
    /// Seconds a client should wait before trying again (sent as `Retry-After`).
    var retryAfter: Int?

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

    /// How long a client waits before retrying while the database is unreachable.
    static let unavailableRetrySeconds = 2

    /// The answer while no primary database can be reached (a failover under way, a
    /// restart): 503 with `Retry-After`, nothing was written, and the request may be
    /// sent again as it was (with its Idempotency-Key, if it had one).
    static var databaseUnavailable: Problem {
        var problem = Problem(
            .serviceUnavailable,
            "the database cannot be reached (it may be failing over to its standby): nothing was written; send the request again in a few seconds"
        )
        problem.retryAfter = unavailableRetrySeconds
        return problem
    }

    /// Whether `error` means no primary database could be reached, rather than a fault
    /// of the request or of the server: a connection refused, lost or timed out in the
    /// pool, a server shutting down or starting, or one that is a read-only standby.
    static func isDatabaseUnavailable(_ error: any Error) -> Bool {
        guard let error = error as? PostgresError else { return false }
        switch error.code {
        case .connectionFailed, .connectionLost, .poolTimeout, .poolClosed: return true
        default: break
        }
        guard let state = error.sqlState else { return false }
        return state.hasPrefix("08") || ["57P01", "57P02", "57P03", "25006"].contains(state)
    }

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
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
