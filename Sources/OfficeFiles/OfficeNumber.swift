/// Numbers as Vietnamese documents write them: "." between thousands and "," before
/// decimals (4.819; 57,7). `VietnameseStyle` in the domain says the same through these.
public enum OfficeNumber {
    /// 4819 → "4.819", 11218 → "11.218".
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(".") }
            grouped.append(digit)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    /// A count held as a Double (a table cell): whole numbers grouped, others with one
    /// decimal.
    public static func grouped(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? grouped(Int(value)) : decimal(value)
    }

    /// 57.7 → "57,7".
    public static func decimal(_ value: Double, places: Int = 1) -> String {
        let scale = (0..<places).reduce(1.0) { result, _ in result * 10 }
        let rounded = (value * scale).rounded() / scale
        let whole = Int(rounded.magnitude)
        let fraction = Int(((rounded.magnitude - Double(whole)) * scale).rounded())
        let sign = rounded < 0 ? "-" : ""
        guard places > 0 else { return sign + grouped(whole) }
        let padded = String(repeating: "0", count: max(0, places - String(fraction).count)) + String(fraction)
        return sign + grouped(whole) + "," + padded
    }
}
