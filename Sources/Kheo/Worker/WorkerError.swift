/// Why a worker node could not start or run.
public struct WorkerError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable {
        case invalidConfiguration(String)
        case alreadyStarted
    }

    public let reason: Reason

    public init(_ reason: Reason) { self.reason = reason }

    public var description: String {
        switch reason {
        case .invalidConfiguration(let message): "invalid worker configuration: \(message)"
        case .alreadyStarted: "this worker node was already started; create a new one to run again"
        }
    }
}
