import Foundation
@testable import KheoAPI
import KheoTesting
import Testing

/// `StrictJSON.repeatedKey` finds a key repeated in one object at any depth, whether the
/// object is small (scanned) or large (hashed), and nothing else.
@Suite struct StrictJSONTests {
    /// A JSON value whose objects' keys are known, so whether one repeats is known.
    indirect enum Tree {
        case scalar(String)
        case array([Tree])
        case object([(key: String, value: Tree)])

        var text: String {
            switch self {
            case .scalar(let text): text
            case .array(let items): "[" + items.map(\.text).joined(separator: ", ") + "]"
            case .object(let members): "{" + members.map { "\"\($0.key)\": \($0.value.text)" }.joined(separator: ",") + "}"
            }
        }

        /// The keys as a decoder reads them (`\u0061` is `a`).
        var repeats: Bool {
            switch self {
            case .scalar: false
            case .array(let items): items.contains(where: \.repeats)
            case .object(let members):
                Set(members.map { $0.key.replacingOccurrences(of: "\\u0061", with: "a") }).count < members.count
                    || members.contains(where: \.value.repeats)
            }
        }
    }

    static func tree(_ random: inout SeededGenerator, depth: Int) -> Tree {
        let scalars = ["1", "null", "\"x\"", "\"{\\\"a\\\": 1, \\\"a\\\": 2}\"", "[]", "{}"]
        guard depth < 4, random.next(3) != 0 else { return .scalar(scalars[random.next(scalars.count)]) }
        if random.next(3) == 0 { return .array((0..<random.next(4)).map { _ in tree(&random, depth: depth + 1) }) }
        // Most objects small, some beyond the scanned size; keys mostly distinct.
        let count = random.next(5) == 0 ? 10 + random.next(30) : random.next(5)
        let distinct = (0..<count).map { "k\($0)" }
        var members = distinct.map { (key: $0, value: tree(&random, depth: depth + 1)) }
        if count > 0, random.next(4) == 0 {
            members.insert((key: members[random.next(count)].key, value: .scalar("0")), at: random.next(count + 1))
        }
        if random.next(6) == 0 { members.append((key: random.next(2) == 0 ? "a" : "\\u0061", value: .scalar("2"))) }
        if random.next(6) == 0 { members.append((key: "a", value: .scalar("3"))) }
        return .object(members)
    }

    @Test func aRepeatedKeyIsFoundAtAnyDepthAndSizeAndNothingElse() {
        var random = SeededGenerator(state: 11)
        var found = 0, clean = 0
        for _ in 0..<3000 {
            let tree = Self.tree(&random, depth: 0)
            let text = tree.text
            let repeated = StrictJSON.repeatedKey(in: Array(text.utf8))
            #expect((repeated != nil) == tree.repeats, "\(text)")
            if repeated != nil { found += 1 } else { clean += 1 }
        }
        #expect(found > 300 && clean > 300, "found \(found), clean \(clean)")
    }

    @Test func theKeyNamedIsTheOneRepeated() {
        let large = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        #expect(StrictJSON.repeatedKey(in: Array(#"{"jobs": [{"kind": 1}, {"kind": 2, "kind": 3}]}"#.utf8)) == "kind")
        #expect(StrictJSON.repeatedKey(in: Array("{\(large), \"k39\": 0}".utf8)) == "k39")
        #expect(StrictJSON.repeatedKey(in: Array("{\(large), \"k40\": {\(large)}}".utf8)) == nil)
        #expect(StrictJSON.repeatedKey(in: Array(#"{"a": 1, "\u0061": 2}"#.utf8)) == "a")
    }
}
