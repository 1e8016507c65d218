import DanVan
import Kheo
import Foundation

/// How the console writes dates, numbers and names: dates dd/mm/yyyy in
/// Asia/Ho_Chi_Minh (UTC+7, no daylight saving), numbers as Vietnamese write them
/// (1.334; 57,7 %), roles and states in Vietnamese.
enum ConsoleText {
    static let timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? TimeZone(secondsFromGMT: 7 * 3600)!

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }()

    /// `dd/mm/yyyy HH:mm` in Vietnam's time.
    static func dateTime(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%02d/%02d/%04d %02d:%02d", parts.day ?? 0, parts.month ?? 0, parts.year ?? 0, parts.hour ?? 0, parts.minute ?? 0)
    }

    static func dateTime(_ date: Date?) -> String { date.map(dateTime) ?? "—" }

    /// The `datetime` attribute of `<time>`: ISO 8601 in UTC.
    static func iso(_ date: Date) -> String { date.ISO8601Format() }

    /// 1234567 → "1.234.567".
    static func number(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(".") }
            out.append(character)
        }
        return (value < 0 ? "−" : "") + out
    }

    /// 57.7 → "57,7 %".
    static func percent(_ value: Double?) -> String {
        guard let value else { return "—" }
        return String(format: "%.1f", value).replacingOccurrences(of: ".", with: ",") + " %"
    }

    /// A duration in seconds as people read it: "3 giây", "12 phút", "4 giờ", "2 ngày".
    static func age(seconds: Double?) -> String {
        guard let seconds else { return "—" }
        switch seconds {
        case ..<60: return "\(Int(seconds)) giây"
        case ..<3600: return "\(Int(seconds / 60)) phút"
        case ..<86400: return "\(Int(seconds / 3600)) giờ"
        default: return "\(Int(seconds / 86400)) ngày"
        }
    }

    static func role(_ role: Principal.Role) -> String {
        switch role {
        case .viewer: "xem"
        case .editor: "biên tập"
        case .admin: "quản trị"
        case .operator: "vận hành hệ thống"
        }
    }

    static func deadlineStatus(_ deadline: Deadline) -> String {
        switch deadline.status {
        case .open: "đang chờ"
        case .overdue: "quá hạn"
        case .withdrawn: "đã rút"
        case .met: deadline.metLate ? "hoàn thành trễ hạn" : "hoàn thành đúng hạn"
        }
    }

    static func planStatus(_ status: StoredPlan.Status) -> String {
        switch status {
        case .submitted: "đã gửi, chờ xếp lịch"
        case .scheduled: "đã xếp lịch"
        case .rejected: "bị từ chối"
        }
    }

    static func slot(_ slot: InspectionPlan.Slot) -> String { slot == .morning ? "Sáng" : "Chiều" }

    /// A day's name by `CivilDate.isoWeekday` (1 Monday … 7 Sunday).
    static func weekday(_ day: CivilDate) -> String {
        ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"][day.isoWeekday - 1]
    }

    /// A queue's limits in words (`QueueLimits`): what holds on every node at once.
    static func limits(_ limits: QueueLimits) -> String {
        func per(_ scope: QueueLimits.Scope) -> String {
            switch scope {
            case .queue: ""
            case .kind: " mỗi loại việc"
            case .key: " mỗi khóa"
            }
        }
        func window(_ milliseconds: Int64) -> String {
            func count(_ n: Int64, _ unit: String) -> String { n == 1 ? unit : "\(n) \(unit)" }
            if milliseconds % 3_600_000 == 0 { return count(milliseconds / 3_600_000, "giờ") }
            if milliseconds % 60_000 == 0 { return count(milliseconds / 60_000, "phút") }
            if milliseconds % 1000 == 0 { return count(milliseconds / 1000, "giây") }
            return "\(milliseconds) ms"
        }
        var parts: [String] = []
        if let concurrency = limits.concurrency { parts.append("tối đa \(number(concurrency.jobs)) việc chạy cùng lúc\(per(concurrency.by))") }
        if let rate = limits.rate { parts.append("tối đa \(number(rate.starts)) lần bắt đầu mỗi \(window(rate.windowMilliseconds))\(per(rate.by))") }
        if limits.fairByKey { parts.append("lần lượt từng khóa") }
        return parts.isEmpty ? "không giới hạn" : parts.joined(separator: "; ")
    }
}
