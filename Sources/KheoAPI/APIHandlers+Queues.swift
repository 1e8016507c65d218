import DanVan
import HTTPTypes
import Kheo
import PostgresClient

/// `/v1/queues`: depths for any token; pausing and resuming for operators.
extension APIHandlers {
    func listQueues(_ input: Operations.ListQueues.Input) async throws -> Operations.ListQueues.Output {
        _ = try Principal.require(.readQueues)
        let queues = try await database.run { pool in try QueueRecord.list(on: pool) }
        return .ok(.init(body: .json(.init(queues: queues.map(Self.schema)))))
    }

    func pauseQueue(_ input: Operations.PauseQueue.Input) async throws -> Operations.PauseQueue.Output {
        switch try await administer(input.path.name, { name, pool in try JobControl().pause(queue: name, on: pool) }) {
        case .success(let queue): .ok(.init(body: .json(queue)))
        case .failure(.notFound(let problem)): .notFound(.init(body: .applicationProblemJson(problem)))
        case .failure(.invalid(let problem)): .badRequest(.init(body: .applicationProblemJson(problem)))
        }
    }

    func resumeQueue(_ input: Operations.ResumeQueue.Input) async throws -> Operations.ResumeQueue.Output {
        switch try await administer(input.path.name, { name, pool in try JobControl().resume(queue: name, on: pool) }) {
        case .success(let queue): .ok(.init(body: .json(queue)))
        case .failure(.notFound(let problem)): .notFound(.init(body: .applicationProblemJson(problem)))
        case .failure(.invalid(let problem)): .badRequest(.init(body: .applicationProblemJson(problem)))
        }
    }

    enum QueueRefusal: Error {
        case notFound(Components.Schemas.Problem)
        case invalid(Components.Schemas.Problem)
    }

    private func administer(
        _ name: String, _ action: @escaping @Sendable (String, PostgresConnectionPool) throws -> Void
    ) async throws -> Result<Components.Schemas.Queue, QueueRefusal> {
        _ = try Principal.require(.administerQueues)
        return try await database.run { pool in
            do {
                try action(name, pool)
            } catch let error as JobControlError {
                return .failure(.notFound(.problem(.notFound, error.description)))
            } catch let error as EnqueueError {
                return .failure(.invalid(.problem(.badRequest, error.description)))
            }
            guard let queue = try QueueRecord.list(on: pool).first(where: { $0.name == name }) else {
                return .failure(.notFound(.problem(.notFound, "no queue named \"\(name)\"")))
            }
            return .success(Self.schema(queue))
        }
    }

    static func schema(_ queue: QueueRecord) -> Components.Schemas.Queue {
        .init(
            name: queue.name, paused: queue.isPaused, available: queue.available, running: queue.running,
            scheduled: queue.scheduled, retryable: queue.retryable, oldestAvailableSeconds: queue.oldestAvailableAgeSeconds
        )
    }
}
