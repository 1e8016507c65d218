import Kheo
import Testing

/// The limits as operators write them (`kheo work --queue`, `kheo queues limit`).
@Suite struct QueueLimitsParsingTests {
    @Test func readsEachOptionAndTheirMix() throws {
        #expect(try QueueLimits(options: ["limit=2/key", "fair"]) == QueueLimits(concurrency: .init(2, per: .key), fairByKey: true))
        #expect(try QueueLimits(options: ["rate=60/1m/key"]) == QueueLimits(rate: .init(60, per: .seconds(60), by: .key)))
        #expect(try QueueLimits(options: ["rate=100/10s"]) == QueueLimits(rate: .init(100, per: .seconds(10))))
        #expect(try QueueLimits(options: ["limit=1", "rate=5/500ms/kind"])
            == QueueLimits(concurrency: .init(1), rate: .init(5, per: .milliseconds(500), by: .kind)))
        #expect(try QueueLimits(options: ["limit=3", "none"]) == .none)
        #expect(try QueueLimits(options: ["rate=1/2h"]).rate?.windowMilliseconds == 7_200_000)
        #expect(try QueueLimits(options: ["limit=2/key", "rate=60/1m/key", "fair"]).summary == "2 running per key · 60 per 1 min per key · fair by key")
    }

    @Test(arguments: [
        "limit", "limit=", "limit=two", "limit=0", "limit=2/unit", "limit=2/key/x", "rate=60", "rate=60/", "rate=60/1d",
        "rate=60/0s", "rate=0/1m", "rate=60/1m/user", "fair=yes", "fast", "limit=2;DROP TABLE kheo.jobs", "rate=-1/1m",
    ])
    func refusesWhatCannotBeKeptSayingWhatToWrite(option: String) {
        #expect(throws: QueueLimitsError.self) { try QueueLimits(options: [option]) }
    }
}
