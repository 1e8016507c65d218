public import Kheo
import PostgresClient

/// `document.draft`: builds a document from the stored data and the current
/// statistics snapshot and stores it as a draft in the registry (`DocumentRegistry`).
/// A source that does not exist, or cannot give this document (a plan not scheduled,
/// a visit without findings), discards the job with the reason; missing statistics
/// make it retry, since the nightly regeneration may bring them.
public enum DocumentJobs {
    public struct Draft: JobArgs {
        public static let kind = "document.draft"
        public var request: DocumentRequest

        public init(_ request: DocumentRequest) { self.request = request }

        /// Its kind unless the enqueue names the unit.
        public var partitionKey: String? { Self.kind }
    }

    public static func register(in registry: inout JobRegistry) {
        registry.register(DraftHandler())
    }

    struct DraftHandler: JobHandler {
        func run(_ args: Draft, context: JobContext) throws -> JobResult {
            do {
                _ = try context.transaction { connection in try DocumentRegistry().draft(args.request, in: connection) }
                return .completed
            } catch let error as DocumentError {
                if case .noStatistics = error { throw error }
                return .discard(reason: error.description)
            }
        }
    }
}
