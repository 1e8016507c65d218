/// Bar charts drawn on the server as SVG: readable without JavaScript, printable, and
/// described for screen readers by a title and a summary (each chart also sits beside
/// a table of the same figures).
enum SVGChart {
    struct Series: Sendable {
        let name: String
        /// The CSS class of its bars (`bar`, `bar2`, `fail`).
        let style: String
        let values: [Int]
    }

    /// Grouped bars: one group per label, one bar per series in each.
    static func bars(title: String, summary: String, labels: [String], series: [Series], labelEvery: Int = 1, width: Int = 720, height: Int = 240) -> HTML {
        let left = 48, bottom = 36, top = 12, right = 8
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let maximum = max(1, series.flatMap(\.values).max() ?? 1)
        let scale = niceCeiling(maximum)
        let groups = max(1, labels.count)
        let groupWidth = Double(plotWidth) / Double(groups)
        let barWidth = max(1, groupWidth * 0.8 / Double(max(1, series.count)))
        var parts: [HTML] = []
        for step in 0...4 {
            let value = scale * step / 4
            let y = Double(top) + Double(plotHeight) * (1 - Double(value) / Double(scale))
            parts.append("<line class=\"grid\" x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(HTML(unsafe: fmt(y)))\" y2=\"\(HTML(unsafe: fmt(y)))\"/>")
            parts.append("<text x=\"\(left - 4)\" y=\"\(HTML(unsafe: fmt(y + 4)))\" text-anchor=\"end\">\(ConsoleText.number(value))</text>")
        }
        for (index, label) in labels.enumerated() {
            let x0 = Double(left) + groupWidth * Double(index) + groupWidth * 0.1
            for (seriesIndex, one) in series.enumerated() {
                let value = index < one.values.count ? one.values[index] : 0
                let barHeight = Double(plotHeight) * Double(value) / Double(scale)
                let x = x0 + barWidth * Double(seriesIndex)
                parts.append("""
                    <rect class="\(one.style)" x="\(HTML(unsafe: fmt(x)))" y="\(HTML(unsafe: fmt(Double(top + plotHeight) - barHeight)))" width="\(HTML(unsafe: fmt(barWidth)))" height="\(HTML(unsafe: fmt(barHeight)))"><title>\(label): \(one.name) \(ConsoleText.number(value))</title></rect>
                    """)
            }
            if index % max(1, labelEvery) == 0 {
                parts.append("<text x=\"\(HTML(unsafe: fmt(x0 + groupWidth * 0.4)))\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(label)</text>")
            }
        }
        parts.append("<line class=\"axis\" x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(top + plotHeight)\" y2=\"\(top + plotHeight)\"/>")
        let id = "c" + String(UInt32(truncatingIfNeeded: title.hashValue), radix: 36)
        return """
            <figure>
            <svg class="chart" viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)" role="img" aria-labelledby="\(id)-t \(id)-d" xmlns="http://www.w3.org/2000/svg">
            <title id="\(id)-t">\(title)</title><desc id="\(id)-d">\(summary)</desc>
            \(parts)
            </svg>
            <figcaption class="legend">\(HTML.each(series) { "<span><span class=\"swatch \($0.style)\" aria-hidden=\"true\"></span>\($0.name)</span>" })</figcaption>
            </figure>
            """
    }

    /// 1, 2 or 5 times a power of ten, at least `value`.
    static func niceCeiling(_ value: Int) -> Int {
        var power = 1
        while power * 10 <= value { power *= 10 }
        for step in [1, 2, 5, 10] where step * power >= value { return step * power }
        return 10 * power
    }

    private static func fmt(_ value: Double) -> String { String(Int((value * 10).rounded())) .inserting(".", fromEnd: 1) }
}

private extension String {
    /// "1234" with "." one digit from the end: "123.4" (SVG numbers, never localised).
    func inserting(_ mark: Character, fromEnd: Int) -> String {
        var digits = self
        var negative = false
        if digits.hasPrefix("-") { negative = true; digits.removeFirst() }
        while digits.count <= fromEnd { digits = "0" + digits }
        digits.insert(mark, at: digits.index(digits.endIndex, offsetBy: -fromEnd))
        return (negative ? "-" : "") + digits
    }
}
