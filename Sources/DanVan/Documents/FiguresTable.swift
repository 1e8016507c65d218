import OfficeFiles

/// A table of counts per unit as reports and workbooks set them: a row for each unit
/// under the reporting unit, a row for the unit's own records when it has any (those
/// registered by the unit itself, not under it), and the total, which is the unit's
/// figures: every row above it sums to it, so a spreadsheet's `SUM` gives the
/// snapshot's figure. The recognition rate follows the recognised count.
enum FiguresTable {
    /// `values` gives a unit's counts, registered first and recognised at
    /// `recognisedAt`; the rate (recognised over registered) is inserted after it.
    static func make(
        title: String, columns: [String], rows: ReportRows, recognisedAt: Int, widths: [Int] = [],
        values: ([Model.Field?: StatisticsFigures]) -> [Int]
    ) -> OfficeDocument.Table {
        func cells(_ name: String, _ v: [Int]) -> [OfficeDocument.Cell] {
            let rate: Double? = v[0] > 0 ? (Double(v[recognisedAt]) * 1000 / Double(v[0])).rounded() / 10 : nil
            return [.text(name)] + v[...recognisedAt].map(OfficeDocument.Cell.count) + [.percent(rate)]
                + v[(recognisedAt + 1)...].map(OfficeDocument.Cell.count)
        }
        let totals = values(rows.unit.figures)
        var table = rows.below.map { cells($0.unitName, values($0.figures)) }
        let sums = rows.below.map { values($0.figures) }.reduce(Array(repeating: 0, count: totals.count)) { zip($0, $1).map(+) }
        let own = zip(totals, sums).map(-)
        if own.contains(where: { $0 != 0 }) { table.append(cells("Cấp \(VietnameseStyle.midSentence(rows.unit.unitName)) (trực tiếp)", own)) }
        table.append(cells("Tổng cộng", totals))
        return OfficeDocument.Table(
            title: title, columns: columns, rows: table, hasTotalRow: true,
            ratios: [.init(column: recognisedAt + 2, numerator: recognisedAt + 1, denominator: 1)], widths: widths
        )
    }
}
