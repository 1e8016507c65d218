import HTTPTypes
import Hummingbird

/// Answers 405 with an `Allow` header, instead of the router's 404, when the path is
/// one of the API's but the method is not. The paths and their methods are the
/// routes the generated handlers registered (`RouteTable`), not a second reading of
/// the document.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteTable

    /// Path templates (`/v1/jobs/{id}`) split into segments, with the methods each takes.
    private var paths: [(segments: [Substring], methods: [String])] { routes.paths }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // A path spelled out whole in the document (/v1/units/import) that does not
        // take the method is a 405 before any route runs: a template beside it
        // (/v1/units/{unitId}) would otherwise answer for it.
        let segments = request.uri.path.split(separator: "/")
        if let literal = paths.first(where: { $0.segments == segments }), !literal.methods.contains(request.method.rawValue) {
            throw Self.refusal(request, allowed: literal.methods)
        }
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            if let refusal = refusal(for: request) { throw refusal }
            throw error
        }
        if response.status == .notFound, let refusal = refusal(for: request) { throw refusal }
        return response
    }

    private func refusal(for request: Request) -> Problem? {
        let segments = request.uri.path.split(separator: "/")
        // Every template the path fits: /v1/units/import fits both itself and
        // /v1/units/{unitId}, and a method either takes is no 405.
        let matches = paths.filter { template in
            template.segments.count == segments.count
                && zip(template.segments, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
        guard !matches.isEmpty, !matches.contains(where: { $0.methods.contains(request.method.rawValue) }) else { return nil }
        // `Allow` names the methods of the template that fits best (the most literal
        // segments): /v1/units/import takes POST, whatever /v1/units/{unitId} takes.
        func literals(_ template: [Substring]) -> Int { template.filter { !$0.hasPrefix("{") }.count }
        let best = matches.map { literals($0.segments) }.max() ?? 0
        return Self.refusal(request, allowed: matches.first { literals($0.segments) == best }?.methods ?? [])
    }

    private static func refusal(_ request: Request, allowed methods: [String]) -> Problem {
        var problem = Problem(.methodNotAllowed, "\(request.uri.path) takes \(methods.joined(separator: ", ")), not \(request.method.rawValue)")
        problem.allow = methods.joined(separator: ", ")
        return problem
    }
}
