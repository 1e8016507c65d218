public import Foundation
import ZIPFoundation

/// An Office Open XML package being written: a zip of XML parts. Every part gets the
/// same timestamp, so the same content always gives the same bytes (a document's
/// checksum depends on what it says, not on when it was written).
package struct OfficePackage {
    /// Every part's modification time.
    package static let timestamp = Date(timeIntervalSince1970: 1_700_000_000)

    private let archive: Archive
    static let declaration = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#

    init() throws {
        archive = try Archive(data: Data(), accessMode: .create)
    }

    /// Adds a part; `xml` comes without the XML declaration, which is added here.
    func add(_ path: String, _ xml: String) throws {
        let data = Data((Self.declaration + xml).utf8)
        try archive.addEntry(
            with: path, type: .file, uncompressedSize: Int64(data.count), modificationDate: Self.timestamp,
            compressionMethod: .deflate
        ) { position, size in
            data.subdata(in: Int(position)..<Int(position) + size)
        }
    }

    func data() throws -> Data {
        guard var data = archive.data else { throw CocoaError(.fileWriteUnknown) }
        try ZIPTimestamps.stamp(&data, with: Self.timestamp)
        return data
    }

    /// `docProps/core.xml`: the title a file browser and the office suite show.
    func addCoreProperties(title: String) throws {
        try add("docProps/core.xml", """
            <cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
            xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" \
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>\(XMLText.escape(title))</dc:title>\
            <dc:language>vi-VN</dc:language><dc:creator>Kheo</dc:creator></cp:coreProperties>
            """)
    }
}

/// Text as XML character data.
enum XMLText {
    /// The five markup characters escaped; characters XML 1.0 cannot carry (control
    /// characters other than tab and line ends) are dropped.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default: if scalar.value >= 0x20, scalar.value != 0xFFFE, scalar.value != 0xFFFF { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
