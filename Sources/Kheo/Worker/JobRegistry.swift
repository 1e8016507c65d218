import Foundation

/// The handlers a worker knows, by kind.
///
/// ```swift
/// var registry = JobRegistry()
/// registry.register(SendReminderHandler())
/// ```
public struct JobRegistry: Sendable {
    /// A handler with its args type erased: decodes the JSON and runs.
    struct Entry: Sendable {
        let timeout: Duration
        let exposure: JobExposure
        let retryDelay: @Sendable (Int) -> Duration?
        let run: @Sendable (String, JobContext) throws -> JobResult
    }

    private(set) var entries: [String: Entry] = [:]

    public init() {}

    /// Adds a handler for `Handler.Args.kind`, replacing any earlier one.
    public mutating func register<Handler: JobHandler>(_ handler: Handler) {
        entries[Handler.Args.kind] = Entry(
            timeout: handler.timeout,
            exposure: Handler.Args.exposure,
            retryDelay: { handler.retryDelay(afterAttempt: $0) },
            run: { json, context in
                let args: Handler.Args
                do {
                    args = try JSONDecoder.jobArgs.decode(Handler.Args.self, from: Data(json.utf8))
                } catch {
                    throw UndecodableArgs(kind: Handler.Args.kind, reason: UndecodableArgs.explain(error))
                }
                return try handler.run(args, context: context)
            }
        )
    }

    /// The kinds that have a handler, sorted.
    public var kinds: [String] { entries.keys.sorted() }

    /// The kinds outside producers may enqueue, with their queue and scope arguments
    /// (`JobExposure.public`).
    public var publicKinds: [String: JobExposure] { entries.filter { $0.value.exposure.isPublic }.mapValues(\.exposure) }

    func entry(for kind: String) -> Entry? { entries[kind] }
}

/// A job's args did not match its handler's args type. The job is discarded at once:
/// retrying cannot fix stored data.
struct UndecodableArgs: Error, CustomStringConvertible {
    let kind: String
    let reason: String

    var description: String { "the args do not fit \(kind): \(reason)" }

    static func explain(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? "the top level" : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field \(key.stringValue) at \(path(context))"
        case .typeMismatch(let type, let context): return "\(path(context)) is not a \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)) is null, expected \(type)"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

extension JSONDecoder {
    /// Args are written by `JobRequest`'s encoder: ISO 8601 dates.
    static let jobArgs: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
