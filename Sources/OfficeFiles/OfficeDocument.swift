import Foundation

/// A document as offices write it, independent of any file format: the heading with
/// the issuing body and the place-and-date line, the title, the body's blocks, the
/// signature and the recipients ("Nơi nhận"). `DOCXWriter`, `DocumentHTML` and
/// `DocumentCSV` each render the same value, so the formats never disagree.
///
/// The layout follows the Party's guidance on documents (Hướng dẫn 36-HD/VPTW of
/// 03/4/2018): the writers place each part where that guidance puts it; this type
/// only says what the parts are.
public struct OfficeDocument: Sendable, Equatable, Codable {
    /// The two columns above the title.
    public struct Heading: Sendable, Equatable, Codable {
        /// The body above the issuer, in capitals ("TỈNH ỦY TRÀ VINH"); empty when the
        /// issuer has none above it in the heading.
        public var superior: String
        /// The issuing body, in capitals ("BAN TUYÊN GIÁO VÀ DÂN VẬN").
        public var issuer: String
        /// "Số 15-BC/BTGDVTU"; a draft's number is blank ("Số     -BC/BTGDVTU"), as
        /// offices leave it until the document is registered.
        public var number: String
        /// "Trà Vinh, ngày 15 tháng 6 năm 2026"; a draft leaves the day blank.
        public var placeAndDate: String

        public init(superior: String, issuer: String, number: String, placeAndDate: String) {
            self.superior = superior
            self.issuer = issuer
            self.number = number
            self.placeAndDate = placeAndDate
        }
    }

    /// A table cell: text, or a number a spreadsheet can add up.
    public enum Cell: Sendable, Equatable, Codable {
        case text(String)
        case number(Double)
        /// A share in percent with one decimal (57.7 for 57,7 %); nil when it cannot
        /// be computed (nothing registered).
        case percent(Double?)

        public static func count(_ value: Int) -> Cell { .number(Double(value)) }
    }

    public struct Table: Sendable, Equatable, Codable {
        /// A column whose cells are one column's count over another's, in percent
        /// (the recognition rate): a spreadsheet computes it with a formula.
        public struct Ratio: Sendable, Equatable, Codable {
            public var column: Int
            public var numerator: Int
            public var denominator: Int

            public init(column: Int, numerator: Int, denominator: Int) {
                self.column = column
                self.numerator = numerator
                self.denominator = denominator
            }
        }

        /// What the table shows ("Lĩnh vực kinh tế"): a workbook's sheet name.
        public var title: String
        public var columns: [String]
        public var rows: [[Cell]]
        /// The last row adds up the ones above it (a spreadsheet writes it as formulas).
        public var hasTotalRow: Bool
        public var ratios: [Ratio]
        /// Each column's share of the width, as weights ([1, 3, 4]: the first a
        /// narrow number, the third the widest); empty gives the first column three
        /// shares and every other one.
        public var widths: [Int]

        public init(
            title: String = "", columns: [String], rows: [[Cell]], hasTotalRow: Bool = false, ratios: [Ratio] = [], widths: [Int] = []
        ) {
            self.title = title
            self.columns = columns
            self.rows = rows
            self.hasTotalRow = hasTotalRow
            self.ratios = ratios
            self.widths = widths
        }

        /// The weights the writers lay the columns out by.
        public var columnWeights: [Int] {
            if widths.count == columns.count { return widths.map { max($0, 1) } }
            return columns.indices.map { $0 == 0 && columns.count > 2 ? 3 : 1 }
        }
    }

    public enum Block: Sendable, Equatable, Codable {
        /// "I. KẾT QUẢ ĐẠT ĐƯỢC": bold, flush left.
        case section(String)
        /// "1. Công tác lãnh đạo, chỉ đạo": bold.
        case subsection(String)
        /// A justified paragraph with its first line indented.
        case paragraph(String)
        /// Lines each beginning with "- ".
        case bullets([String])
        case table(Table)
        /// A part an official may write before the document is issued; `DocumentParts`
        /// holds the text, and the writers see it as paragraphs (blank lines part them).
        case editable(key: String)
    }

    public struct Signature: Sendable, Equatable, Codable {
        /// "T/M BAN THƯỜNG VỤ", "K/T TRƯỞNG BAN": empty when the signer signs alone.
        public var onBehalfOf: String
        /// "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN".
        public var position: String
        public var name: String

        public init(onBehalfOf: String, position: String, name: String) {
            self.onBehalfOf = onBehalfOf
            self.position = position
            self.name = name
        }
    }

    public var heading: Heading
    /// The kind of document in capitals ("BÁO CÁO", "THÔNG BÁO").
    public var kindTitle: String
    /// What it is about, under the kind ("sơ kết 6 tháng đầu năm 2026 …").
    public var summary: String
    public var blocks: [Block]
    public var signature: Signature
    public var recipients: [String]

    public init(
        heading: Heading, kindTitle: String, summary: String, blocks: [Block], signature: Signature, recipients: [String]
    ) {
        self.heading = heading
        self.kindTitle = kindTitle
        self.summary = summary
        self.blocks = blocks
        self.signature = signature
        self.recipients = recipients
    }

    /// The document with each editable part replaced by its text as paragraphs: what
    /// every writer renders.
    public func resolved(_ parts: [String: String]) -> OfficeDocument {
        var copy = self
        copy.blocks = blocks.flatMap { block -> [Block] in
            guard case .editable(let key) = block else { return [block] }
            return Self.paragraphs(parts[key] ?? "").map(Block.paragraph)
        }
        return copy
    }

    /// Text split into paragraphs at line breaks, blank ones dropped.
    static func paragraphs(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The tables of the body, in order.
    public var tables: [Table] {
        blocks.compactMap { if case .table(let table) = $0 { table } else { nil } }
    }
}

extension OfficeDocument.Cell {
    /// As a document writes it for reading: counts grouped with "." (4.819), shares
    /// with a decimal comma (57,7; the column's heading says "%").
    public var reading: String {
        switch self {
        case .text(let text): text
        case .number(let value): OfficeNumber.grouped(value)
        case .percent(let value): value.map { OfficeNumber.decimal($0) } ?? "–"
        }
    }

    /// As data for a spreadsheet: counts as plain digits, which every locale reads as
    /// the number; a share with the decimal comma a Vietnamese spreadsheet reads.
    public var plain: String {
        switch self {
        case .text(let text): text
        case .number(let value): value == value.rounded() ? String(Int(value)) : OfficeNumber.decimal(value)
        case .percent(let value): value.map { OfficeNumber.decimal($0) } ?? ""
        }
    }
}
