import Foundation

/// What JSON decoders let through silently and the API refuses.
///
/// `{"unitId": 1, "unitId": 2}` is valid JSON by the letter of RFC 8259 but means
/// different things to different readers: Foundation's decoders keep the last key, a
/// proxy or an audit log in front may keep the first. A check done on one reading and
/// an action on the other is how a scope check is slipped, so a body with a repeated
/// key in any object, at any depth, is refused before anything decodes it.
enum StrictJSON {
    /// The first key that appears twice in one object (compared as decoders compare
    /// them, after unescaping), or nil. Input that is not JSON is left to the decoders.
    static func repeatedKey(in bytes: some Collection<UInt8>) -> String? {
        // The keys of every open object, innermost last, and where each open object's
        // keys start (nil for an array). An object compares a new key with its own by a
        // scan while it holds few, and through a set once it holds many, so a batch of
        // small objects costs no set each and one huge object costs no quadratic scan.
        var keys: [String] = []
        var frames: [(start: Int?, index: Set<String>?)] = []
        var expectingKey = false
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"):
                frames.append((keys.count, nil))
                expectingKey = true
            case UInt8(ascii: "["):
                frames.append((nil, nil))
                expectingKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if let frame = frames.popLast(), let start = frame.start { keys.removeSubrange(start...) }
                expectingKey = false
            case UInt8(ascii: ","):
                expectingKey = frames.last.map { $0.start != nil } ?? false
            case UInt8(ascii: "\""):
                let start = index
                var escaped = false
                var hasEscape = false
                index = bytes.index(after: index)
                while index != bytes.endIndex {
                    let current = bytes[index]
                    if escaped {
                        escaped = false
                    } else if current == UInt8(ascii: "\\") {
                        escaped = true
                        hasEscape = true
                    } else if current == UInt8(ascii: "\"") {
                        break
                    }
                    index = bytes.index(after: index)
                }
                guard index != bytes.endIndex else { return nil }
                if expectingKey, let frame = frames.last, let first = frame.start {
                    let raw = bytes[start...index]
                    let key = hasEscape
                        ? (try? JSONDecoder().decode(String.self, from: Data(raw))) ?? String(decoding: raw, as: UTF8.self)
                        : String(decoding: raw.dropFirst().dropLast(), as: UTF8.self)
                    let top = frames.count - 1
                    if frame.index != nil {
                        guard frames[top].index!.insert(key).inserted else { return key }
                    } else if keys.count - first < Self.scannedKeys {
                        if keys[first...].contains(key) { return key }
                    } else {
                        var seen = Set(keys[first...])
                        guard seen.insert(key).inserted else { return key }
                        frames[top].index = seen
                    }
                    keys.append(key)
                    expectingKey = false
                }
            default:
                break
            }
            index = bytes.index(after: index)
        }
        return nil
    }

    /// How many keys an object holds before a set replaces the scan.
    static let scannedKeys = 16

    /// Whether a Content-Type names JSON exactly: `application/json`, with at most a
    /// `charset=utf-8` parameter. `application/jsonx`, `text/json` or a charset the
    /// body is not in are refused, not guessed at.
    static func isJSONContentType(_ value: String) -> Bool {
        let parts = value.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard parts.first == "application/json" else { return false }
        return parts.dropFirst().allSatisfy { $0 == "charset=utf-8" || $0 == "charset=\"utf-8\"" }
    }
}
