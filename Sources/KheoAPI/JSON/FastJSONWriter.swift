/// Compact JSON, appended to a byte buffer, for the writers `GenerateJSONCoders`
/// generates. Strings are escaped as RFC 8259 requires and no more (`/` is left as it
/// is), so any JSON reader reads back the same values.
struct FastJSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Whether the next member or element needs a comma before it.
    private var separate = false

    init() {
        bytes.reserveCapacity(256)
    }

    mutating func beginObject() {
        comma()
        bytes.append(UInt8(ascii: "{"))
        separate = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        separate = true
    }

    /// A member's name; its value follows.
    mutating func key(_ name: String) {
        string(name)
        bytes.append(UInt8(ascii: ":"))
        separate = false
    }

    mutating func array<S: Sequence>(_ elements: S, _ write: (inout FastJSONWriter, S.Element) -> Void) {
        comma()
        bytes.append(UInt8(ascii: "["))
        separate = false
        for element in elements { write(&self, element) }
        bytes.append(UInt8(ascii: "]"))
        separate = true
    }

    /// Digits written in place: a 1,000-id answer makes no string per id.
    mutating func integer<T: BinaryInteger>(_ value: T) {
        comma()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
        separate = true
    }

    mutating func bool(_ value: Bool) {
        comma()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
        separate = true
    }

    mutating func string(_ value: String) {
        comma()
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        separate = true
    }

    private mutating func comma() {
        if separate { bytes.append(UInt8(ascii: ",")) }
    }
}
