package import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes one modification time into every entry of a finished zip, in its local
/// header and in the central directory.
///
/// ZIPFoundation turns an entry's date into the zip's MS-DOS time with `gmtime()`, whose
/// result glibc keeps in one static buffer shared with `localtime()`; swift-log's
/// `StreamLogHandler` calls `localtime()` from any thread to stamp each log line. A
/// line logged while a document was written could put its own time into the
/// document's headers (32 of 3,000 workbooks written beside a thread calling
/// `localtime()`), so the same document did not always give the same bytes or the
/// same checksum. Stamping again, with `gmtime_r`, after the archive is complete
/// makes the bytes depend on the content alone.
package enum ZIPTimestamps {
    struct MalformedArchive: Error, CustomStringConvertible {
        let reason: String
        var description: String { "the zip just written is malformed: \(reason)" }
    }

    package static func stamp(_ data: inout Data, with date: Date) throws {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { throw MalformedArchive(reason: "no UTC time for \(date)") }
        let dosTime = UInt16(parts.tm_sec / 2 + parts.tm_min * 32 + parts.tm_hour * 2048)
        let dosDate = UInt16(parts.tm_mday + (parts.tm_mon + 1) * 32 + (parts.tm_year + 1900 - 1980) * 512)

        var bytes = [UInt8](data)
        func read16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func read32(_ at: Int) -> Int { read16(at) | read16(at + 2) << 16 }
        func write16(_ value: UInt16, at: Int) {
            bytes[at] = UInt8(value & 0xff)
            bytes[at + 1] = UInt8(value >> 8)
        }
        // The end of central directory record: 22 bytes, no comment in ours.
        let end = bytes.count - 22
        guard end >= 0, read32(end) == 0x0605_4b50 else { throw MalformedArchive(reason: "no end of central directory") }
        let entries = read16(end + 10)
        var offset = read32(end + 16)
        for _ in 0..<entries {
            guard offset + 46 <= bytes.count, read32(offset) == 0x0201_4b50 else { throw MalformedArchive(reason: "central directory") }
            write16(dosTime, at: offset + 12)
            write16(dosDate, at: offset + 14)
            let local = read32(offset + 42)
            guard local + 30 <= bytes.count, read32(local) == 0x0403_4b50 else { throw MalformedArchive(reason: "local header") }
            write16(dosTime, at: local + 10)
            write16(dosDate, at: local + 12)
            offset += 46 + read16(offset + 28) + read16(offset + 30) + read16(offset + 32)
        }
        data = Data(bytes)
    }
}
