import PostgresClient

/// A calendar day with no time and no zone: a visit date, a deadline, a holiday.
///
/// The movement's dates are days on Vietnam's wall clock; keeping them as plain
/// (year, month, day) avoids a whole class of off-by-a-zone bugs. Arithmetic goes
/// through the day count since 1970-01-01 (proleptic Gregorian), so it needs no
/// `Calendar` and gives the same answer on every machine.
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Refuses a day that does not exist (31/04, 29/02 of a common year).
    public init(year: Int, month: Int, day: Int) throws(CivilDateError) {
        guard (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day), (1...9999).contains(year) else {
            throw CivilDateError(text: "\(day)/\(month)/\(year)")
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses the way the movement writes dates, `dd/mm/yyyy` (leading zeros optional).
    public init(parsing text: String) throws(CivilDateError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2]), parts[2].count == 4 else {
            throw CivilDateError(text: text)
        }
        try self.init(year: year, month: month, day: day)
    }

    private init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01.
    public var dayNumber: Int { Int(GregorianDays.days(year: Int64(year), month: Int64(month), day: Int64(day))) }

    /// The day `dayNumber` days after 1970-01-01.
    public init(dayNumber: Int) {
        let civil = GregorianDays.civil(fromDays: Int64(dayNumber))
        self.init(unchecked: Int(civil.year), Int(civil.month), Int(civil.day))
    }

    public func adding(days: Int) -> CivilDate { CivilDate(dayNumber: dayNumber + days) }

    /// 1 Monday … 7 Sunday (ISO 8601); 1970-01-01 was a Thursday.
    public var isoWeekday: Int { ((dayNumber % 7 + 7) % 7 + 3) % 7 + 1 }

    public var isWeekend: Bool { isoWeekday >= 6 }

    /// `dd/mm/yyyy`, as dates are written in the movement's documents.
    public var description: String {
        (day < 10 ? "0" : "") + "\(day)/" + (month < 10 ? "0" : "") + "\(month)/" + Self.fourDigits(year)
    }

    /// `yyyy-mm-dd`, the form PostgreSQL's `date` reads whatever its DateStyle.
    public var iso: String {
        return Self.fourDigits(year) + "-" + (month < 10 ? "0" : "") + "\(month)-" + (day < 10 ? "0" : "") + "\(day)"
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool { lhs.dayNumber < rhs.dayNumber }

    /// 738 → "0738": both written forms need four digits to read back.
    private static func fourDigits(_ year: Int) -> String {
        String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// A text that is not a real calendar day.
public struct CivilDateError: Error, Sendable, Equatable, CustomStringConvertible {
    public let text: String
    public var description: String { "\"\(text)\" is not a date: write dd/mm/yyyy, e.g. 05/08/2021" }
}

/// In JSON a date is written as people write it, `dd/mm/yyyy`, and read back through
/// the same checks as `init(parsing:)`.
extension CivilDate: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
