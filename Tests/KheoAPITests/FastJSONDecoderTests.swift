import Foundation
@testable import KheoAPI
import KheoTesting
import OpenAPIRuntime
import Testing

/// `FastJSONDecoder` either reads a body exactly as `JSONDecoder` does (configured as
/// the generated server configures it) or gives up. These tests hold it to that over
/// many random bodies, well-formed and not, decoded into the generated request types.
@Suite struct FastJSONDecoderTests {
    typealias Payload = Operations.EnqueueJobs.Input.Body.JsonPayload

    /// The generated path's decoder, as OpenAPIRuntime's `Converter` builds it.
    static func reference<T: Decodable>(_ type: T.Type, _ bytes: Data) -> T? {
        let decoder = JSONDecoder()
        let dates = FlexibleDateTranscoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            try dates.decode(try decoder.singleValueContainer().decode(String.self))
        }
        return try? decoder.decode(type, from: bytes)
    }

    static func fast<T: Decodable>(_ type: T.Type, _ bytes: Data) -> T? {
        FastJSONDecoder.decode(type, from: bytes, dates: FlexibleDateTranscoder())
    }

    /// The reader generated from `openapi.yaml`, as `FastEnqueueMiddleware` calls it.
    static func generated(_ bytes: Data) -> Payload? {
        FastJSONReading.read(bytes, dates: FlexibleDateTranscoder(), Payload.init(fastJSON:_:))
    }

    @Test func aPlainBatchIsReadFastAndAsTheGeneratedPathReadsIt() throws {
        let body = Data(#"{"jobs": [{"kind": "kheo.noop"}, {"kind": "webhook.ping", "args": {"unitID": 7, "note": "Tổng kết \"quý\" \u0041\ud83d\ude00", "n": [1, -2, 2.5, null, true, {}]}, "queue": "danvan", "priority": 3, "maxAttempts": 7, "runAt": "2030-01-01T00:00:00.250Z"}]}"#.utf8)
        let fast = try #require(Self.fast(Payload.self, body), "an ordinary batch is the fast reader's")
        #expect(fast == Self.reference(Payload.self, body))
        #expect(Self.generated(body) == fast, "the generated reader reads it as the generated conformance does")
        guard case .JobBatch(let batch) = fast else { Issue.record("a batch is read as one"); return }
        #expect(batch.jobs.count == 2 && batch.jobs[1].args?.additionalProperties.value["note"] as? String == "Tổng kết \"quý\" A😀")
    }

    /// Each of these `JSONDecoder` reads its own way (or refuses); the fast reader must
    /// give up rather than guess.
    @Test(arguments: [
        #"{"kind": "kheo.noop", "priority": 1.0}"#,        // JSONDecoder takes 1.0 as the Int 1
        #"{"kind": "kheo.noop", "priority": 1e0}"#,
        #"{"kind": "kheo.noop", "priority": 9223372036854775808}"#,
        #"{"kind": "kheo.noop", "args": {"x": -0}}"#,       // the Double -0.0
        #"{"kind": "kheo.noop", "args": {"x": 1e-400}}"#,
        #"{"kind": "kheo.noop", "args": {"x": "\ud800"}}"#, // a lone surrogate
        #"{"kind": "kheo.noop", "kind": "kheo.noop"}"#,     // a repeated key
        #"{"kind": "kheo.noop", "priorty": 1}"#,            // refused by the schema
        #"{"kind": "kheo.nothing"}"#,
        #"{"kind": "kheo.noop", "runAt": "tomorrow"}"#,
        #"{"kind": "kheo.noop"} x"#,
        #"{"kind": "kheo.noop",}"#,
        #"{"kind": 'kheo.noop'}"#,
        "[]", "", "null",
    ])
    func whatJSONDecoderReadsItsOwnWayIsLeftToIt(body: String) {
        #expect(Self.fast(Payload.self, Data(body.utf8)) == nil)
        #expect(Self.generated(Data(body.utf8)) == nil)
    }

    @Test func invalidUTF8IsLeftToJSONDecoder() {
        var body = Data(#"{"kind": "kheo.noop", "args": {"x": "a"#.utf8)
        body.append(contentsOf: [0xC3, 0x28])
        body.append(contentsOf: Data(#""}}"#.utf8))
        #expect(Self.fast(Payload.self, body) == nil && Self.generated(body) == nil && Self.reference(Payload.self, body) == nil)
    }

    /// Random bodies built from the fields the schema knows and the mistakes producers
    /// make: whenever the fast reader answers, it answers what `JSONDecoder` does, and
    /// it answers for most well-formed ones (else it would be no faster).
    @Test func randomBodiesAreReadAsJSONDecoderReadsThem() throws {
        var random = SeededGenerator(state: 2025)
        var accepted = 0, answered = 0, agreed = 0, generatedAnswered = 0, generatedAgreed = 0
        for _ in 0..<4000 {
            let text = Self.body(&random)
            let bytes = Data(text.utf8)
            let reference = Self.reference(Payload.self, bytes)
            if reference != nil { accepted += 1 }
            if let generated = Self.generated(bytes) {
                generatedAnswered += 1
                #expect(generated == reference, "generated reader: \(text)")
                if generated == reference { generatedAgreed += 1 }
            }
            guard let fast = Self.fast(Payload.self, bytes) else { continue }
            answered += 1
            #expect(fast == reference, "\(text)")
            if fast == reference { agreed += 1 }
        }
        // Those they leave alone hold a number JSONDecoder reads its own way (-0, 1.0,
        // 1E2, 1e-400), which this test writes far more often than producers do.
        #expect(accepted > 500 && answered * 10 >= accepted * 6 && agreed == answered, "answered \(answered) of the \(accepted) JSONDecoder accepts")
        #expect(generatedAnswered * 10 >= accepted * 6 && generatedAgreed == generatedAnswered, "the generated reader answered \(generatedAnswered) of \(accepted)")
    }

    /// The generated writer's answer reads back, with `JSONDecoder`, as the value it wrote.
    @Test func theGeneratedWriterWritesWhatJSONDecoderReadsBack() throws {
        var random = SeededGenerator(state: 7)
        for count in [0, 1, 2, 1000] {
            let ids = (0..<count).map { index -> Int64 in
                switch index {
                case 0: .max
                case 1: .min
                default: Int64(random.next(1_000_000_000)) - 500_000_000
                }
            }
            let enqueued = Components.Schemas.Enqueued(ids: ids)
            let written = Data(enqueued.fastJSON())
            #expect(try JSONDecoder().decode(Components.Schemas.Enqueued.self, from: written) == enqueued)
        }
        var writer = FastJSONWriter()
        let strings = ["", "a\"b\\c/d", "\u{0}\u{1}\n\r\t\u{1F}", "Tổng kết 😀", "\u{7F}\u{2028}"]
        writer.array(strings) { writer, string in writer.string(string) }
        #expect(try JSONDecoder().decode([String].self, from: Data(writer.bytes)) == strings)
    }

    static func body(_ random: inout SeededGenerator) -> String {
        if random.next(4) == 0 { return job(&random) }
        let count = 1 + random.next(4)
        let jobs = (0..<count).map { _ in job(&random) }.joined(separator: ", ")
        return random.next(20) == 0 ? #"{"jobs": [\#(jobs)], "extra": 1}"# : #"{"jobs": [\#(jobs)]}"#
    }

    static func job(_ random: inout SeededGenerator) -> String {
        var fields: [String] = []
        let kinds = [#""kheo.noop""#, #""webhook.ping""#, #""kheo.nothing""#, "1", "null"]
        if random.next(12) != 0 { fields.append(#""kind": \#(kinds[random.next(10) < 8 ? random.next(2) : random.next(kinds.count)])"#) }
        if random.next(2) == 0 { fields.append(#""args": \#(random.next(6) == 0 ? value(&random, depth: 2) : object(&random, depth: 0))"#) }
        let strings = [#""danvan""#, #""default""#, "null", "3", #""a\"b""#]
        if random.next(3) == 0 { fields.append(#""queue": \#(strings[random.next(strings.count)])"#) }
        let integers = ["0", "3", "9", "-1", "null", "1.0", "2.5", "1e1", #""3""#, "true", "99999999999999999999"]
        if random.next(3) == 0 { fields.append(#""priority": \#(integers[random.next(integers.count)])"#) }
        if random.next(3) == 0 { fields.append(#""maxAttempts": \#(integers[random.next(integers.count)])"#) }
        let dates = [#""2030-01-01T00:00:00Z""#, #""2030-01-01T00:00:00.5+07:00""#, #""yesterday""#, "null", "0"]
        if random.next(5) == 0 { fields.append(#""runAt": \#(dates[random.next(dates.count)])"#) }
        if random.next(15) == 0 { fields.append(#""priorty": 1"#) }
        return "{" + fields.shuffled(using: &random).joined(separator: random.next(2) == 0 ? ", " : ",\n ") + "}"
    }

    static func object(_ random: inout SeededGenerator, depth: Int) -> String {
        let keys = ["unitID", "note", "x", "Tổng", "a\\\"b", "n"]
        let members = (0..<random.next(4)).map { index in #""\#(keys[(index + random.next(2)) % keys.count])\#(index)": \#(value(&random, depth: depth + 1))"# }
        return "{" + members.joined(separator: ", ") + "}"
    }

    static func value(_ random: inout SeededGenerator, depth: Int) -> String {
        let scalars = [
            "0", "-0", "7", "-12", "9007199254740993", "1.5", "-2.25e3", "1E2", "1e-400", "1e400", "0.0",
            "true", "false", "null", #""""#, #""tiếng Việt""#, #""\u00e9\n\t\\""#, #""\ud83d\ude00""#, #""\ud83d""#,
        ]
        guard depth < 3, random.next(4) == 0 else { return scalars[random.next(scalars.count)] }
        if random.next(2) == 0 { return object(&random, depth: depth) }
        return "[" + (0..<random.next(4)).map { _ in value(&random, depth: depth + 1) }.joined(separator: ", ") + "]"
    }
}
