import Foundation

/// How long to wait before retrying a failed attempt: exponential, capped, with jitter
/// so jobs that failed together (an outage) do not all retry in the same instant.
public struct RetryPolicy: Sendable, Equatable {
    /// The wait after the first failure.
    public var base: Duration
    /// Each further failure multiplies the wait by this.
    public var factor: Double
    /// The longest wait.
    public var maximum: Duration
    /// Spread, as a fraction of the wait (0.1 = ±10 %).
    public var jitter: Double

    public init(base: Duration = .seconds(2), factor: Double = 2, maximum: Duration = .seconds(6 * 3600), jitter: Double = 0.1) {
        self.base = base
        self.factor = factor
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The wait after failed attempt `attempt` (1 for the first run).
    public func delay(afterAttempt attempt: Int) -> Duration {
        let exponent = Double(max(0, attempt - 1))
        let seconds = min(base.inSeconds * pow(factor, exponent), maximum.inSeconds)
        let spread = jitter > 0 ? Double.random(in: -jitter...jitter) : 0
        return .microseconds(Int64(max(0, seconds * (1 + spread)) * 1_000_000))
    }
}
