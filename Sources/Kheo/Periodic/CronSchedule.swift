public import Foundation

/// A cron expression: when a periodic job fires.
///
/// Five fields, `minute hour day-of-month month day-of-week`, or six with a leading
/// `second`. Each field takes `*`, a value, a range `a-b`, a step `*/n` or `a-b/n`, and
/// lists of those separated by commas; months and days of the week also take English
/// names (`JAN`, `MON`); day-of-week 0 and 7 are both Sunday. Shortcuts: `@yearly`
/// (`@annually`), `@monthly`, `@weekly`, `@daily` (`@midnight`), `@hourly`. As in Vixie
/// cron, when both day fields are restricted a day matches if either does.
///
/// Times are read on the wall clock of a time zone: `0 2 * * *` in `Asia/Ho_Chi_Minh`
/// fires at 02:00 Vietnam time, 19:00 UTC the day before.
public struct CronSchedule: Sendable, Equatable, CustomStringConvertible {
    public let expression: String
    let seconds: Set<Int>
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    /// 0 is Sunday.
    let daysOfWeek: Set<Int>
    let daysOfMonthRestricted: Bool
    let daysOfWeekRestricted: Bool

    public var description: String { expression }

    static let shortcuts = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    public init(_ expression: String) throws(CronError) {
        let trimmed = expression.trimmingCharacters(in: .whitespaces)
        self.expression = trimmed
        var text = trimmed
        if text.hasPrefix("@") {
            guard let expanded = Self.shortcuts[text.lowercased()] else {
                throw CronError(expression: trimmed, fault: "unknown shortcut \(text); use @yearly, @monthly, @weekly, @daily or @hourly")
            }
            text = expanded
        }
        var fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 || fields.count == 6 else {
            throw CronError(expression: trimmed, fault: "it has \(fields.count) fields; use 5 (minute hour day month weekday) or 6 (with a leading second)")
        }
        if fields.count == 5 { fields.insert("0", at: 0) }
        func parse(_ index: Int, _ name: String, _ range: ClosedRange<Int>, names: [String] = [], nameBase: Int = 0) throws(CronError) -> Set<Int> {
            do {
                return try Self.parseField(fields[index], range: range, names: names, nameBase: nameBase)
            } catch let fault {
                throw CronError(expression: trimmed, fault: "\(name) field \"\(fields[index])\": \(fault.text)")
            }
        }
        seconds = try parse(0, "second", 0...59)
        minutes = try parse(1, "minute", 0...59)
        hours = try parse(2, "hour", 0...23)
        daysOfMonth = try parse(3, "day-of-month", 1...31)
        months = try parse(4, "month", 1...12, names: Self.monthNames, nameBase: 1)
        let weekdays = try parse(5, "day-of-week", 0...7, names: Self.dayNames)
        daysOfWeek = Set(weekdays.map { $0 % 7 })
        daysOfMonthRestricted = !fields[3].hasPrefix("*")
        daysOfWeekRestricted = !fields[5].hasPrefix("*")
        if daysOfMonthRestricted, !daysOfWeekRestricted, daysOfMonth.allSatisfy({ day in !months.contains { Self.maxDays[$0 - 1] >= day } }) {
            throw CronError(expression: trimmed, fault: "no month of those has such a day; it would never fire")
        }
    }

    /// The most days each month can have (February in a leap year).
    static let maxDays = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

    struct FieldFault: Error { let text: String }

    static func parseField(_ field: String, range: ClosedRange<Int>, names: [String], nameBase: Int) throws(FieldFault) -> Set<Int> {
        var values = Set<Int>()
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { throw FieldFault(text: "an empty list item") }
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw FieldFault(text: "more than one /") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else { throw FieldFault(text: "the step \"\(pieces[1])\" is not a positive number") }
                step = parsed
            }
            let base = pieces[0]
            var low = range.lowerBound, high = range.upperBound
            if base != "*" {
                let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2 else { throw FieldFault(text: "\"\(base)\" is not a value or a range") }
                low = try value(bounds[0], range: range, names: names, nameBase: nameBase)
                high = bounds.count == 2 ? try value(bounds[1], range: range, names: names, nameBase: nameBase) : (pieces.count == 2 ? range.upperBound : low)
                guard low <= high else { throw FieldFault(text: "the range \(low)-\(high) runs backwards") }
            }
            values.formUnion(stride(from: low, through: high, by: step))
        }
        return values
    }

    private static func value(_ text: Substring, range: ClosedRange<Int>, names: [String], nameBase: Int) throws(FieldFault) -> Int {
        if let index = names.firstIndex(of: text.uppercased()) { return index + nameBase }
        guard let number = Int(text) else {
            throw FieldFault(text: "\"\(text)\" is not a number\(names.isEmpty ? "" : " or a name like \(names[0])")")
        }
        guard range.contains(number) else { throw FieldFault(text: "\(number) is outside \(range.lowerBound)-\(range.upperBound)") }
        return number
    }

    /// The first fire time strictly after `date`, on the wall clock of `timeZone`.
    /// `nil` only if none falls within the next eight years (e.g. 30 February).
    public func next(after date: Date, in timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var time = Date(timeIntervalSince1970: (date.timeIntervalSince1970 + 1).rounded(.down))
        let limit = date.addingTimeInterval(8 * 366 * 86_400)
        while time < limit {
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: time)
            guard let year = parts.year, let month = parts.month, let day = parts.day, let hour = parts.hour,
                  let minute = parts.minute, let second = parts.second, let weekday = parts.weekday
            else { return nil }
            if !months.contains(month) {
                guard let start = calendar.date(from: DateComponents(year: year, month: month + 1, day: 1)) else { return nil }
                time = start
                continue
            }
            if !dayMatches(day: day, weekday: weekday - 1) {
                guard let start = calendar.date(from: DateComponents(year: year, month: month, day: day + 1)) else { return nil }
                time = start
                continue
            }
            // Within a day, step by absolute time so a clock change never loops.
            if !hours.contains(hour) {
                time = time.addingTimeInterval(Double(3600 - minute * 60 - second))
                continue
            }
            if !minutes.contains(minute) {
                time = time.addingTimeInterval(Double(60 - second))
                continue
            }
            if !seconds.contains(second) {
                time = time.addingTimeInterval(1)
                continue
            }
            return time
        }
        return nil
    }

    /// The last fire time at or before `date`, looking back at most `horizon`.
    public func latest(atOrBefore date: Date, in timeZone: TimeZone, horizon: TimeInterval = 400 * 86_400) -> Date? {
        // Widen a window back from `date` until it holds a fire time, then walk forward.
        var width: TimeInterval = 1
        while width <= horizon * 2 {
            if var fire = next(after: date.addingTimeInterval(-width), in: timeZone), fire <= date {
                while let later = next(after: fire, in: timeZone), later <= date { fire = later }
                return fire
            }
            width *= 2
        }
        return nil
    }

    private func dayMatches(day: Int, weekday: Int) -> Bool {
        switch (daysOfMonthRestricted, daysOfWeekRestricted) {
        case (true, true): daysOfMonth.contains(day) || daysOfWeek.contains(weekday)
        case (true, false): daysOfMonth.contains(day)
        case (false, true): daysOfWeek.contains(weekday)
        case (false, false): true
        }
    }
}

/// A cron expression that cannot be used, with what is wrong in it.
public struct CronError: Error, Sendable, Equatable, CustomStringConvertible {
    public let expression: String
    public let fault: String

    public var description: String { "invalid cron expression \"\(expression)\": \(fault)" }
}
