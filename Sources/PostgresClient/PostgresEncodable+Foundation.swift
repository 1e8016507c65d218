public import Foundation

extension Date: PostgresEncodable {
    public static var postgresType: PostgresType { .timestamptz }
    /// UTC, to the microsecond (PostgreSQL's resolution); `distantPast` and
    /// `distantFuture` travel as `-infinity` and `infinity`.
    public func postgresText() -> String? {
        if self <= .distantPast { return "-infinity" }
        if self >= .distantFuture { return "infinity" }
        return PostgresTimestamp.text(microsecondsSince2000: PostgresTimestamp.microseconds(self))
    }
}

extension UUID: PostgresEncodable {
    public static var postgresType: PostgresType { .uuid }
    public func postgresText() -> String? { uuidString }
}

extension Data: PostgresEncodable {
    public static var postgresType: PostgresType { .bytea }
    public func postgresText() -> String? { PostgresBytes.hexText(self) }
}

/// bytea's hex input format: `\x` followed by two hex digits a byte.
enum PostgresBytes {
    static func hexText(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8](repeating: 0, count: 2 + bytes.count * 2)
        text[0] = UInt8(ascii: "\\")
        text[1] = UInt8(ascii: "x")
        var index = 2
        for byte in bytes {
            text[index] = digits[Int(byte >> 4)]
            text[index + 1] = digits[Int(byte & 0x0f)]
            index += 2
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// Conversions between `Date` and PostgreSQL's timestamps, which count microseconds
/// from 2000-01-01 00:00:00 UTC.
enum PostgresTimestamp {
    /// Seconds from 2000-01-01 to Foundation's reference date, 2001-01-01 (2000 is a leap year).
    static let secondsFrom2000ToReferenceDate: Int64 = 366 * 86_400

    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSinceReferenceDate * 1_000_000).rounded())
            + secondsFrom2000ToReferenceDate * 1_000_000
    }

    static func date(microsecondsSince2000 micros: Int64) -> Date {
        if micros == .max { return .distantFuture }
        if micros == .min { return .distantPast }
        let sinceReference = micros - secondsFrom2000ToReferenceDate * 1_000_000
        return Date(timeIntervalSinceReferenceDate: Double(sinceReference) / 1_000_000)
    }

    /// ISO 8601 text in UTC, e.g. `2026-11-23 06:07:00.123456+00`.
    static func text(microsecondsSince2000 micros: Int64) -> String {
        let unixMicros = micros + 946_684_800 * 1_000_000
        let (seconds, fraction) = floorDivide(unixMicros, 1_000_000)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = GregorianDays.civil(fromDays: days)
        // PostgreSQL has no year 0: astronomical year 0 is 1 BC, -1 is 2 BC.
        return pad(year > 0 ? year : 1 - year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + " "
            + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":"
            + pad(secondOfDay % 60, 2) + "." + pad(fraction, 6) + "+00" + (year > 0 ? "" : " BC")
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let quotient = value >= 0 ? value / divisor : (value - divisor + 1) / divisor
        return (quotient, value - quotient * divisor)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
