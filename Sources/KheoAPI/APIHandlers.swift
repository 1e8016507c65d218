import DanVan
import Foundation
import HTTPTypes
import Kheo
import Logging
import OpenAPIRuntime
import PostgresClient

/// The operations of `openapi.yaml`. Each checks the caller's role and scope, then does
/// its database work on `BlockingDatabase`'s threads.
struct APIHandlers: APIProtocol {
    let database: BlockingDatabase
    /// Where `POST /v1/jobs` without an `Idempotency-Key` enqueues.
    let coalescer: EnqueueCoalescer
    /// The kinds producers may enqueue (`JobExposure.public`); every other kind, the
    /// system's own, is refused at the door.
    let publicKinds: [String: JobExposure]
    let migrations: [Migration]
    let logger: Logger

    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        .ok(.init(body: .plainText("ok\n")))
    }

    func getReadiness(_ input: Operations.GetReadiness.Input) async throws -> Operations.GetReadiness.Output {
        let migrations = self.migrations
        let logger = self.logger
        let pending: Int
        do {
            pending = try await database.run { pool in
                try pool.withConnection { connection in
                    try Migrator(migrations: migrations, logger: logger).status(on: connection).filter { $0.state == .pending }.count
                }
            }
        } catch {
            // Anyone may ask; only the log says why.
            logger.warning("not ready: the database cannot be reached", metadata: ["error": "\(Self.brief(error))"])
            return .serviceUnavailable(.init(body: .applicationProblemJson(.problem(.serviceUnavailable, "not ready"))))
        }
        guard pending == 0 else {
            logger.warning("not ready: migrations pending", metadata: ["pending": "\(pending)", "fix": "run kheo migrate"])
            return .serviceUnavailable(.init(body: .applicationProblemJson(.problem(.serviceUnavailable, "not ready"))))
        }
        return .ok(.init(body: .plainText("ready\n")))
    }

    /// An error's first line, without connection details.
    static func brief(_ error: any Error) -> String {
        String(String(describing: error).split(separator: "\n").first ?? "").prefix(200).description
    }
}

extension Components.Schemas.Problem {
    static func problem(_ status: HTTPResponse.Status, _ detail: String) -> Self {
        let problem = Problem(status, detail)
        return .init(_type: problem.type, title: problem.title, status: problem.status, detail: detail)
    }
}
