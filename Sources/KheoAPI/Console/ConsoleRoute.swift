import DanVan
import Foundation
import HTTPTypes
import PostgresClient

/// One page or form of the console: its method and path, the `Action` it performs
/// (whose role `ConsoleServer` checks before the handler runs, and whose scope the
/// handler asks `Authority` about once it has found the record), and the handler.
/// `ConsoleRoutes.all` is the one list: the server registers it, the scope and CSRF
/// tests walk it, so a new page cannot be left out of either.
struct ConsoleRoute: Sendable {
    enum Method: String, Sendable { case get = "GET", post = "POST" }

    let method: Method
    /// `/console/models/{model}`: each `{name}` is a path parameter.
    let path: String
    /// What the page does, for `Authority`; nil for the sign-in pages and assets,
    /// which anyone may load.
    let action: Action?
    let handler: @Sendable (ConsoleRequest) async throws -> ConsoleResponse

    init(_ method: Method, _ path: String, _ action: Action?, _ handler: @escaping @Sendable (ConsoleRequest) async throws -> ConsoleResponse) {
        self.method = method
        self.path = path
        self.action = action
        self.handler = handler
    }

    /// The path parameters' names, in order.
    var parameters: [String] {
        path.split(separator: "/").compactMap { $0.hasPrefix("{") && $0.hasSuffix("}") ? String($0.dropFirst().dropLast()) : nil }
    }

    /// The path as Hummingbird's router spells it (`:model`).
    var routerPath: String {
        "/" + path.split(separator: "/").map { $0.hasPrefix("{") ? ":" + $0.dropFirst().dropLast() : $0 }.joined(separator: "/")
    }
}

/// A console request, once its session is known and its form read.
struct ConsoleRequest: Sendable {
    let path: String
    let parameters: [String: String]
    let query: [String: [String]]
    let form: ConsoleForm
    /// The signed-in session; nil only on the public routes.
    let session: ConsoleSessions.Session?
    /// The signed-in unit's name, for the banner.
    var unitName: String? { session?.unitName }
    let database: BlockingDatabase
    let console: ConsoleServer
    let cookies: [String: String]
    /// Whether the browser reached us over TLS (directly or through a proxy that says so).
    let secureTransport: Bool
    let origin: String?
    let host: String?

    var principal: Principal {
        get throws(ConsoleError) {
            guard let session else { throw .signInRequired }
            return session.principal
        }
    }

    /// A path parameter as a record id.
    func id(_ name: String) throws(ConsoleError) -> Int64 {
        guard let text = parameters[name], let value = Int64(text), value >= 1 else { throw .notFound }
        return value
    }

    /// A query parameter, trimmed; nil when absent or empty.
    func query(_ name: String) -> String? {
        guard let value = query[name]?.first?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    /// A query parameter that must be one of `Value`'s cases when given; `label`
    /// names it in the refusal.
    func query<Value: RawRepresentable>(_ name: String, as type: Value.Type, label: String) throws(ConsoleError) -> Value? where Value.RawValue == String {
        guard let text = query(name) else { return nil }
        guard let value = Value(rawValue: text) else { throw .badRequest("\(label) không hợp lệ: \"\(text.prefix(40))\"") }
        return value
    }

    /// A query parameter that must be a positive id when given.
    func queryID(_ name: String) throws(ConsoleError) -> Int64? {
        guard let text = query(name) else { return nil }
        guard let value = Int64(text), value >= 1 else { throw .badRequest("\(name): \"\(text.prefix(40))\" không phải là mã hợp lệ") }
        return value
    }

    /// Database work on the blocking threads.
    func run<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnectionPool) throws -> Result) async throws -> Result {
        try await database.run(body)
    }

    /// The unit a page about "my unit" means: the one in the query, else the
    /// session's own; an operator must name one.
    func unit(_ name: String = "unit") throws -> Int64 {
        if let given = try queryID(name) { return given }
        guard let own = try principal.unitID else { throw ConsoleError.badRequest("Chọn một đơn vị (?\(name)=ID).") }
        return own
    }
}

/// What a console handler answers.
struct ConsoleResponse: Sendable {
    var status: HTTPResponse.Status = .ok
    var headers = HTTPFields()
    var body: [UInt8] = []

    static func page(_ html: HTML, status: HTTPResponse.Status = .ok) -> ConsoleResponse {
        var response = ConsoleResponse(status: status, body: Array(html.text.utf8))
        response.headers[.contentType] = "text/html; charset=utf-8"
        return response
    }

    /// 303 See Other: after a form, the browser loads `location` with GET, so a reload
    /// does not post again.
    static func redirect(_ location: String) -> ConsoleResponse {
        var response = ConsoleResponse(status: .seeOther)
        response.headers[.location] = location
        return response
    }

    static func file(_ bytes: [UInt8], type: String, name: String) -> ConsoleResponse {
        var response = ConsoleResponse(body: bytes)
        response.headers[.contentType] = type
        // The name is ours (ids and a fixed extension), never a user's text.
        response.headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        return response
    }

    static func asset(_ text: String, type: String) -> ConsoleResponse {
        var response = ConsoleResponse(body: Array(text.utf8))
        response.headers[.contentType] = type
        response.headers[.cacheControl] = "public, max-age=3600"
        return response
    }
}
