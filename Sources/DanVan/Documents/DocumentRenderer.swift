import Foundation
import OfficeFiles

/// Renders a document's stored model with its parts' text into every file it is kept
/// in: the main file (.docx, or .xlsx for a workbook), HTML, and CSV when it has
/// tables. All of them come from the one resolved `OfficeDocument`, so they never
/// disagree. Pure: the same model and parts give the same bytes.
enum DocumentRenderer {
    /// The part that names the signer, in every document.
    static let signerKey = "signer"

    static func resolved(_ model: DocumentModel, parts: [String: String]) -> OfficeDocument {
        var document = model.document.resolved(parts)
        document.signature.name = parts[signerKey] ?? ""
        return document
    }

    static func files(kind: DocumentKind, model: DocumentModel, parts: [String: String], title: String) throws -> [DocumentFormat: Data] {
        let document = resolved(model, parts: parts)
        var files: [DocumentFormat: Data] = [
            .html: Data(DocumentHTML.write(document, title: title).utf8),
        ]
        switch kind.mainFormat {
        case .xlsx: files[.xlsx] = try XLSXWorkbook(document: document, title: title).write()
        default: files[.docx] = try DOCXWriter.write(document, title: title)
        }
        if !document.tables.isEmpty { files[.csv] = Data(DocumentCSV.write(document).utf8) }
        return files
    }
}
