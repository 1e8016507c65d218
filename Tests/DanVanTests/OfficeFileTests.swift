import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import OfficeFiles
import Testing
import ZIPFoundation

/// The office formats as files: every part of a written .docx and .xlsx is
/// well-formed XML whatever the text holds (markup characters, control characters,
/// quotes, letters outside the Basic Multilingual Plane), and the same document
/// always gives the same bytes.
@Suite("Office files")
struct OfficeFileTests {
    static let awkward = "Ấp <Mỹ> & \"Hòa\" 'Lợi' \u{0}\u{7}\u{1B} 🌾 ]]> \u{FFFE}"

    static let document = OfficeDocument(
        heading: .init(superior: "TỈNH ỦY TRÀ VINH", issuer: "BAN TUYÊN GIÁO VÀ DÂN VẬN", number: "Số 15-BC/BTGDVTU", placeAndDate: "Trà Vinh, ngày 05 tháng 02 năm 2026"),
        kindTitle: "BÁO CÁO", summary: awkward,
        blocks: [
            .section("I. " + awkward), .subsection("1. Con số"), .paragraph(awkward), .bullets([awkward, "4.819 lượt"]),
            .table(.init(
                title: "Tổng hợp: [1]/2", columns: ["Đơn vị", "Đăng ký", "Công nhận", "Tỷ lệ"],
                rows: [
                    [.text(awkward), .count(4), .count(2), .percent(50)],
                    [.text("=HYPERLINK(\"x\")"), .count(1000), .count(577), .percent(57.7)],
                    [.text("Tổng cộng"), .count(1004), .count(579), .percent(57.7)],
                ],
                hasTotalRow: true, ratios: [.init(column: 3, numerator: 2, denominator: 1)]
            )),
            .editable(key: "notes"),
        ],
        signature: .init(onBehalfOf: "T/M BAN THƯỜNG VỤ", position: "PHÓ BÍ THƯ", name: awkward),
        recipients: ["Ban Tuyên giáo và Dân vận Trung ương (b/c)", awkward]
    ).resolved(["notes": "Dòng một\n\nDòng hai"])

    static func parts(_ data: Data) throws -> [String: Data] {
        let archive = try Archive(data: data, accessMode: .read)
        var parts: [String: Data] = [:]
        for entry in archive {
            var content = Data()
            _ = try archive.extract(entry) { content.append($0) }
            parts[entry.path] = content
        }
        return parts
    }

    /// Whatever time ZIPFoundation put in an entry's headers (its `gmtime()` shares a
    /// buffer with the `localtime()` a logging thread calls, so a log line could put
    /// its own), the finished package carries the one fixed time: scrambled headers
    /// are stamped back to exactly the bytes of an undisturbed write.
    @Test(arguments: ["docx", "xlsx"])
    func everyEntryCarriesTheFixedTimeWhateverTheLibraryWrote(_ format: String) throws {
        let reference = format == "docx" ? try DOCXWriter.write(Self.document, title: Self.awkward)
            : try XLSXWorkbook(document: Self.document, title: Self.awkward).write()
        var bytes = [UInt8](reference)
        var scrambled = 0
        for at in 0..<(bytes.count - 16) where bytes[at] == 0x50 && bytes[at + 1] == 0x4b {
            // "PK\3\4" a local header (time at 10), "PK\1\2" a central directory entry (at 12).
            let field = bytes[at + 2] == 3 && bytes[at + 3] == 4 ? at + 10 : bytes[at + 2] == 1 && bytes[at + 3] == 2 ? at + 12 : nil
            guard let field else { continue }
            for index in field..<(field + 4) { bytes[index] = 0xA5 }
            scrambled += 1
        }
        #expect(scrambled == 2 * (try Self.parts(reference)).count, "each entry's two headers")
        var stamped = Data(bytes)
        #expect(stamped != reference)
        try ZIPTimestamps.stamp(&stamped, with: OfficePackage.timestamp)
        #expect(stamped == reference)
    }

    @Test(arguments: ["docx", "xlsx"])
    func everyPartIsWellFormedAndTheBytesAreStable(_ format: String) throws {
        let write = { () throws -> Data in
            format == "docx" ? try DOCXWriter.write(Self.document, title: Self.awkward)
                : try XLSXWorkbook(document: Self.document, title: Self.awkward).write()
        }
        let data = try write()
        #expect(try write() == data, "the same document, the same bytes")
        let parts = try Self.parts(data)
        #expect(parts.keys.contains("[Content_Types].xml") && parts.keys.contains("docProps/core.xml"))
        for (path, content) in parts {
            let parser = XMLParser(data: content)
            #expect(parser.parse(), "\(path) is not well-formed: \(String(describing: parser.parserError))")
            let text = String(decoding: content, as: UTF8.self)
            #expect(!text.contains("\u{0}") && !text.contains("\u{1B}"), "\(path) carries a control character")
        }
        if format == "docx" {
            let body = String(decoding: try #require(parts["word/document.xml"]), as: UTF8.self)
            #expect(body.contains(#"<w:pgSz w:w="11906" w:h="16838"/>"#) && body.contains(#"w:left="1702""#), "A4, 30 mm on the left")
            #expect(body.contains("Ấp &lt;Mỹ&gt; &amp; &quot;Hòa&quot; 'Lợi'  🌾 ]]&gt;") && body.contains("Dòng hai"))
        } else {
            let sheet = String(decoding: try #require(parts["xl/worksheets/sheet1.xml"]), as: UTF8.self)
            let workbook = String(decoding: try #require(parts["xl/workbook.xml"]), as: UTF8.self)
            #expect(workbook.contains(#"name="Tổng hợp 12""#), "a sheet name without the characters Excel forbids: \(workbook)")
            // Rows: 4 heading lines, a blank row, the header on row 6, data from row 7.
            #expect(sheet.contains(#"<c r="B7" s="3"><v>4</v></c>"#), "a count is a number cell")
            #expect(sheet.contains(#"<c r="B9" s="6"><f>SUM(B7:B8)</f><v>1004</v></c>"#), "the total sums the rows above, with its value")
            #expect(sheet.contains(#"<c r="D8" s="4"><f>IF(B8=0,0,C8/B8)</f><v>0.577</v></c>"#), "a rate divides the two columns")
            #expect(sheet.contains(#"<pane ySplit="6" topLeftCell="A7""#), "the heading and the header stay frozen")
        }
    }
}
