import OfficeFiles

/// A document as a `document.draft` job builds it from stored data, before it is
/// stored: the office document with its editable parts' defaults.
struct DocumentDraft: Sendable {
    /// One part an official may rewrite before issue, with the heading the editing
    /// form shows and the text drawn from the data.
    struct Part: Sendable, Equatable {
        var key: String
        var label: String
        var text: String
    }

    var kind: DocumentKind
    var unitID: Int64
    var periodID: Int64?
    var planID: Int64?
    var visitID: Int64?
    var concernedUnitID: Int64?
    var snapshotID: Int64?
    var title: String
    var issuer: DocumentIssuer
    var document: OfficeDocument
    var parts: [Part]

    var model: DocumentModel {
        DocumentModel(document: document, partLabels: parts.map { .init(key: $0.key, label: $0.label) })
    }

    var partTexts: [String: String] {
        Dictionary(parts.map { ($0.key, $0.text) }, uniquingKeysWith: { first, _ in first })
    }
}

/// What to draft: the kind, and the unit, period, plan or visit it is drawn from.
/// Also the `document.draft` job's arguments.
public struct DocumentRequest: Sendable, Codable, Equatable {
    public var kind: DocumentKind
    /// The unit whose report or workbook it is; plans and conclusions are issued by
    /// the plan's unit, which the plan names.
    public var unitID: Int64?
    public var periodID: Int64?
    public var planID: Int64?
    public var visitID: Int64?
    /// An issued document this one corrects.
    public var correctsID: Int64?
    /// Text for some of the kind's parts (`DocumentKind.partKeys`) instead of what the
    /// data gives, e.g. the signer an office always has sign.
    public var parts: [String: String]?

    public init(
        kind: DocumentKind, unitID: Int64? = nil, periodID: Int64? = nil, planID: Int64? = nil, visitID: Int64? = nil, correctsID: Int64? = nil,
        parts: [String: String]? = nil
    ) {
        self.kind = kind
        self.unitID = unitID
        self.periodID = periodID
        self.planID = planID
        self.visitID = visitID
        self.correctsID = correctsID
        self.parts = parts
    }

    /// The request with its parts checked and cleaned as an edit would be: only the
    /// kind's own parts, no control characters, within the limit.
    public func validated() throws -> DocumentRequest {
        guard let parts else { return self }
        let known = Set(kind.partKeys)
        let unknown = parts.keys.filter { !known.contains($0) }
        guard unknown.isEmpty else { throw DocumentError.unknownParts(unknown, known: kind.partKeys) }
        var cleaned: [String: String] = [:]
        for (key, text) in parts { cleaned[key] = try DocumentRegistry.clean(text, key: key) }
        var copy = self
        copy.parts = cleaned
        return copy
    }
}
