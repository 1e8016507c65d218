import Dispatch
import Foundation
import Logging

/// SIGTERM and SIGINT through Dispatch sources: the first asks for a graceful stop,
/// a second exits at once.
final class SignalHandling: Sendable {
    private let grace: Duration
    private let logger: Logger
    private let onStop: @Sendable (Duration) -> Void
    private let queue = DispatchQueue(label: "kheo.signals")
    private nonisolated(unsafe) var sources: [any DispatchSourceSignal] = []
    private nonisolated(unsafe) var received = 0

    init(grace: Duration, logger: Logger, onStop: @escaping @Sendable (Duration) -> Void) {
        self.grace = grace
        self.logger = logger
        self.onStop = onStop
    }

    /// Call once, before work starts. Signal sources live as long as this object.
    func install() {
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [self] in handle(number) }
            source.resume()
            sources.append(source)
        }
    }

    /// Runs on the serial signal queue only.
    private func handle(_ number: Int32) {
        received += 1
        let name = number == SIGTERM ? "SIGTERM" : "SIGINT"
        if received == 1 {
            logger.notice("\(name) received: finishing running jobs, then exiting (send it again to exit at once)", metadata: ["grace": "\(grace)"])
            onStop(grace)
        } else {
            logger.warning("\(name) received again: exiting now; unfinished jobs are rescued when their leases expire")
            exit(128 + number)
        }
    }
}
