public import Foundation
import OfficeFiles
import PostgresClient

/// A document in the registry: what it is, where it stands (draft or issued, with its
/// number), what it was drawn from, and its editable parts.
public struct StoredDocument: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        case draft, issued
    }

    public let id: Int64
    public let unitID: Int64
    public let kind: DocumentKind
    public let status: Status
    public let title: String
    public let periodID: Int64?
    public let planID: Int64?
    public let visitID: Int64?
    public let snapshotID: Int64?
    public let concernedUnitID: Int64?
    /// The number once issued (15), and the symbol ("BC/BTGDVTU").
    public let number: Int?
    public let symbol: String
    public let issuedOn: CivilDate?
    public let issuedAt: Date?
    public let correctsID: Int64?
    public let createdAt: Date
    public let updatedAt: Date
    /// The editable parts' text, by key.
    public let parts: [String: String]
    /// The parts' keys in the order the document shows them, with their headings.
    public let partLabels: [(key: String, label: String)]
    /// The files' formats with their SHA-256 in hex.
    public let files: [DocumentFormat: String]

    /// "15-BC/BTGDVTU" once issued; "…-BC/BTGDVTU" for a draft.
    public var reference: String { (number.map(String.init) ?? "…") + "-" + symbol }

    static let columns = """
        d.id, d.unit_id, d.kind::text AS kind, d.status::text AS status, d.title, d.period_id, d.plan_id, d.visit_id, d.snapshot_id,
        d.concerned_unit_id, d.number, d.kind_symbol || '/' || d.body_symbol AS symbol, to_char(d.issued_on, 'DD/MM/YYYY') AS issued_on,
        d.issued_at, d.corrects_id, d.created_at, d.updated_at, d.parts::text AS parts,
        (d.model -> 'partLabels')::text AS part_labels,
        (SELECT coalesce(array_agg(f.format || ':' || encode(f.sha256, 'hex') ORDER BY f.format), '{}')
         FROM danvan.document_files AS f WHERE f.document_id = d.id) AS files
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        unitID = try row.decode("unit_id")
        kind = DocumentKind(rawValue: try row.decode("kind")) ?? .reviewReport
        status = Status(rawValue: try row.decode("status")) ?? .draft
        title = try row.decode("title")
        periodID = try row.decode("period_id")
        planID = try row.decode("plan_id")
        visitID = try row.decode("visit_id")
        snapshotID = try row.decode("snapshot_id")
        concernedUnitID = try row.decode("concerned_unit_id")
        number = try row.decode("number", as: Int32?.self).map(Int.init)
        symbol = try row.decode("symbol")
        issuedOn = try row.decode("issued_on", as: String?.self).map { try CivilDate(parsing: $0) }
        issuedAt = try row.decode("issued_at")
        correctsID = try row.decode("corrects_id")
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
        parts = try JSONDecoder().decode([String: String].self, from: Data(try row.decode("parts", as: String.self).utf8))
        // The part labels alone, not the whole model (a report's is tens of kilobytes).
        partLabels = try JSONDecoder().decode([DocumentModel.PartLabel].self, from: Data(try row.decode("part_labels", as: String.self).utf8))
            .map { ($0.key, $0.label) }
        var files: [DocumentFormat: String] = [:]
        for entry in try row.decode("files", as: [String].self) {
            let pieces = entry.split(separator: ":", maxSplits: 1).map(String.init)
            if pieces.count == 2, let format = DocumentFormat(rawValue: pieces[0]) { files[format] = pieces[1] }
        }
        self.files = files
    }

    public static func == (lhs: StoredDocument, rhs: StoredDocument) -> Bool {
        lhs.id == rhs.id && lhs.status == rhs.status && lhs.updatedAt == rhs.updatedAt && lhs.files == rhs.files
    }
}

/// What is stored as a document's model: the office document with its editable parts
/// unresolved, and each part's heading for the editing form.
struct DocumentModel: Codable, Sendable {
    struct PartLabel: Codable, Sendable, Equatable {
        var key: String
        var label: String
    }

    var document: OfficeDocument
    var partLabels: [PartLabel]
}
