import HTTPTypes
import Hummingbird
import Logging

/// The outermost layer: whatever fails inside answers as a problem document. An error
/// response without one (a body the schema refuses, a route that does not exist) gets
/// one; an unexpected error is logged and answers 500 without its details.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response: Response
        do {
            response = try await next(request, context)
        } catch let problem as Problem {
            return problem.response
        } catch let error as HTTPError where request.uri.path.hasPrefix("/console/") || request.uri.path == "/console" {
            // A console address that does not exist (or a method it does not take):
            // a page, not a problem document.
            return ConsoleServer.missingPage(error.status)
        } catch let error as HTTPError {
            return Problem(error.status, error.body ?? Self.advice(error.status)).response
        } catch let error as any HTTPResponseError {
            return Problem(error.status, Self.advice(error.status)).response
        } catch where Problem.isDatabaseUnavailable(error) {
            logger.warning("database unreachable: answered 503", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return Problem.databaseUnavailable.response
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return Problem(.internalServerError, "the server failed; the error is in its log").response
        }
        // The console answers its refusals as pages of its own.
        guard response.status.code >= 400, !Problem.isProblem(response.headers[.contentType]), !request.uri.path.hasPrefix("/console/") else {
            return response
        }
        return Problem(response.status, Self.advice(response.status)).response
    }

    static func advice(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "the request does not follow the API's schema (see /openapi.yaml): check the JSON, the field names and their types"
        case 404: "there is no such resource; the API's paths are listed in /openapi.yaml"
        case 405: "this path does not take that method; see /openapi.yaml"
        case 413: "the body is over the server's limit"
        case 415: "send the body as application/json"
        default: status.reasonPhrase
        }
    }
}
