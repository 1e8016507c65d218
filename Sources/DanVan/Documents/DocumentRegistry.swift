public import Foundation
import OfficeFiles
public import PostgresClient

/// The documents of every unit: drafted from stored data, edited, issued with the
/// next number of the issuing unit's register, and from then on kept as they were
/// issued (the database refuses any change to an issued document or its files).
public struct DocumentRegistry: Sendable {
    public init() {}

    /// Characters an editable part may hold.
    public static let partLimit = 20_000

    /// The unit that issues the document a request asks for: the given unit for a
    /// report or workbook, the plan's unit for a plan's documents and conclusions.
    /// Doors check their caller against it before enqueuing the draft.
    public func issuingUnit(for request: DocumentRequest, on executor: some PostgresExecutor) throws -> Int64 {
        switch request.kind {
        case .reviewReport, .statisticsWorkbook:
            guard let unit = request.unitID else { throw DocumentError.missingSource(kind: request.kind, needs: "unit") }
            guard request.periodID != nil else { throw DocumentError.missingSource(kind: request.kind, needs: "period") }
            return unit
        case .inspectionPlan, .inspectionSchedule:
            guard let plan = request.planID else { throw DocumentError.missingSource(kind: request.kind, needs: "plan") }
            guard let row = try executor.query("SELECT issuing_unit_id FROM danvan.inspection_plans WHERE id = $1", plan).first else {
                throw DocumentError.planNotFound(plan)
            }
            return try InspectionDocumentsDraft.issuingUnit(try row.decode("issuing_unit_id"), on: try CivilDate.today(on: executor), in: executor)
        case .inspectionConclusion:
            guard let visit = request.visitID else { throw DocumentError.missingSource(kind: request.kind, needs: "visit") }
            guard let found = try InspectionPlans().planOf(visit: visit, on: executor) else { throw DocumentError.visitNotFound(visit) }
            return try InspectionDocumentsDraft.issuingUnit(found.issuingUnitID, on: try CivilDate.today(on: executor), in: executor)
        }
    }

    /// Checks that `principal` may have `request` drafted, and returns the unit that
    /// will issue it (the unit its `document.draft` job is filed under). The one check
    /// every door (the API, the console) makes before it enqueues a draft: the caller
    /// may draft for the issuing unit, the period exists, and a document it corrects
    /// exists and is one the caller may read.
    public func authoriseDraft(_ request: DocumentRequest, by principal: Principal, in connection: PostgresConnection) throws -> Int64 {
        let request = try request.validated()
        let issuer = try issuingUnit(for: request, on: connection)
        try Authority.require(.draftDocument, by: principal, on: .unit(issuer), in: connection)
        if let period = request.periodID, try Periods().find(period, on: connection) == nil { throw DocumentError.periodNotFound(period) }
        if let corrects = request.correctsID {
            guard let old = try find(corrects, on: connection) else { throw DocumentError.documentNotFound(corrects) }
            try Authority.require(.readDocuments, by: principal, on: .document(old), in: connection)
        }
        return issuer
    }

    /// Builds the requested document from the data as it stands and stores it as a
    /// draft, in the caller's transaction. A correction's draft says which issued
    /// document it replaces.
    public func draft(_ asked: DocumentRequest, in connection: PostgresConnection) throws -> StoredDocument {
        let request = try asked.validated()
        let today = try CivilDate.today(on: connection)
        var draft: DocumentDraft
        switch request.kind {
        case .reviewReport, .statisticsWorkbook:
            guard let unit = request.unitID else { throw DocumentError.missingSource(kind: request.kind, needs: "unit") }
            guard let period = request.periodID else { throw DocumentError.missingSource(kind: request.kind, needs: "period") }
            draft = request.kind == .reviewReport
                ? try ReviewReportDraft.build(unit: unit, period: period, today: today, in: connection)
                : try StatisticsWorkbookDraft.build(unit: unit, period: period, today: today, in: connection)
        case .inspectionPlan, .inspectionSchedule:
            guard let plan = request.planID else { throw DocumentError.missingSource(kind: request.kind, needs: "plan") }
            draft = request.kind == .inspectionPlan
                ? try InspectionDocumentsDraft.plan(plan, today: today, in: connection)
                : try InspectionDocumentsDraft.schedule(plan, today: today, in: connection)
        case .inspectionConclusion:
            guard let visit = request.visitID else { throw DocumentError.missingSource(kind: request.kind, needs: "visit") }
            draft = try InspectionDocumentsDraft.conclusion(visit, today: today, in: connection)
        }
        if let corrects = request.correctsID {
            guard let old = try find(corrects, on: connection) else { throw DocumentError.documentNotFound(corrects) }
            guard old.status == .issued, let issuedOn = old.issuedOn else { throw DocumentError.cannotCorrect(corrects, why: "it is a draft: edit it instead") }
            guard old.kind == draft.kind, old.unitID == draft.unitID, old.periodID == draft.periodID, old.planID == draft.planID,
                  old.visitID == draft.visitID else {
                throw DocumentError.cannotCorrect(corrects, why: "a correction is drawn from the same unit and source as the document it replaces")
            }
            draft.document.blocks.insert(
                .paragraph("Văn bản này thay thế \(draft.kind.kindTitle.lowercased()) số \(old.reference) ngày \(issuedOn) của \(draft.issuer.name)."),
                at: 0
            )
            draft.title += " (thay thế số \(old.reference))"
        }
        // Every document names its signer before it is issued.
        draft.parts.append(.init(key: DocumentRenderer.signerKey, label: "Người ký (họ và tên)", text: ""))
        assert(draft.parts.map(\.key) == draft.kind.partKeys, "\(draft.kind)'s parts are not DocumentKind.partKeys")
        for (key, text) in request.parts ?? [:] {
            if let index = draft.parts.firstIndex(where: { $0.key == key }) { draft.parts[index].text = text }
        }
        let model = draft.model
        let parts = draft.partTexts
        let id: Int64 = try connection.query(
            """
            INSERT INTO danvan.documents (unit_id, kind, period_id, plan_id, visit_id, snapshot_id, concerned_unit_id, title, model, parts,
                                          kind_symbol, body_symbol, corrects_id)
            VALUES ($1, $2::danvan.document_kind, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id
            """,
            draft.unitID, draft.kind.rawValue, draft.periodID, draft.planID, draft.visitID, draft.snapshotID, draft.concernedUnitID,
            String(draft.title.prefix(500)), PostgresJSON(model), PostgresJSON(parts), draft.kind.kindSymbol, draft.issuer.bodySymbol,
            request.correctsID
        ).single().decode("id")
        try store(files: DocumentRenderer.files(kind: draft.kind, model: model, parts: parts, title: draft.title), of: id, in: connection)
        guard let stored = try find(id, on: connection) else { throw DocumentError.documentNotFound(id) }
        return stored
    }

    /// Rewrites editable parts of a draft (only the parts named; the others keep their
    /// text) and renders its files again. Refused once the document is issued.
    public func edit(
        _ id: Int64, parts changes: [String: String], by principal: Principal, in connection: PostgresConnection
    ) throws -> StoredDocument {
        let (document, model, parts) = try lockForChange(id, action: .editDocument, by: principal, in: connection)
        let known = Set(model.partLabels.map(\.key))
        let unknown = changes.keys.filter { !known.contains($0) }
        guard unknown.isEmpty else { throw DocumentError.unknownParts(unknown, known: Array(known)) }
        var merged = parts
        for (key, text) in changes { merged[key] = try Self.clean(text, key: key) }
        try connection.query("DELETE FROM danvan.document_files WHERE document_id = $1", id)
        try store(files: DocumentRenderer.files(kind: document.kind, model: model, parts: merged, title: document.title), of: id, in: connection)
        try connection.query("UPDATE danvan.documents SET parts = $2, updated_at = now() WHERE id = $1", id, PostgresJSON(merged))
        guard let stored = try find(id, on: connection) else { throw DocumentError.documentNotFound(id) }
        return stored
    }

    /// Issues a draft: the next number in the issuing unit's register for the kind
    /// and year, today's date in the heading, the files rendered once more and kept
    /// for good. Refused without a signer, or when already issued.
    public func issue(_ id: Int64, by principal: Principal, in connection: PostgresConnection) throws -> StoredDocument {
        var (document, model, parts) = try lockForChange(id, action: .issueDocument, by: principal, in: connection)
        guard !(parts[DocumentRenderer.signerKey] ?? "").isEmpty else { throw DocumentError.unsigned(id) }
        let today = try CivilDate.today(on: connection)
        let issuer = try DocumentIssuer.of(unit: document.unitID, on: today, in: connection)
        let number: Int32 = try connection.query(
            """
            INSERT INTO danvan.document_sequences (unit_id, kind_symbol, year, last_number) VALUES ($1, $2, $3, 1)
            ON CONFLICT (unit_id, kind_symbol, year) DO UPDATE SET last_number = danvan.document_sequences.last_number + 1
            RETURNING last_number
            """,
            document.unitID, document.kind.kindSymbol, Int32(today.year)
        ).single().decode("last_number")
        model.document.heading = issuer.heading(kindSymbol: document.kind.kindSymbol, number: Int(number), day: today, year: today.year)
        try connection.query("DELETE FROM danvan.document_files WHERE document_id = $1", id)
        try store(files: DocumentRenderer.files(kind: document.kind, model: model, parts: parts, title: document.title), of: id, in: connection)
        try connection.query(
            """
            UPDATE danvan.documents SET status = 'issued', number = $2, issued_on = $3::date, issued_at = danvan.now(), body_symbol = $4,
                   model = $5, updated_at = now()
            WHERE id = $1
            """,
            id, number, today.iso, issuer.bodySymbol, PostgresJSON(model)
        )
        guard let stored = try find(id, on: connection) else { throw DocumentError.documentNotFound(id) }
        return stored
    }

    /// The draft locked for a change the principal must be allowed, with its model
    /// and parts; an issued document is refused before anything else is checked
    /// about it but sight.
    private func lockForChange(
        _ id: Int64, action: Action, by principal: Principal, in connection: PostgresConnection
    ) throws -> (StoredDocument, DocumentModel, [String: String]) {
        // One read: the row locked, as the register shows it and as it is stored.
        guard let row = try connection.query(
            "SELECT \(StoredDocument.columns), d.model AS stored_model, d.parts AS stored_parts FROM danvan.documents AS d WHERE d.id = $1 FOR UPDATE OF d",
            id
        ).first else { throw DocumentError.documentNotFound(id) }
        let document = try StoredDocument(row: row)
        try Authority.require(.readDocuments, by: principal, on: .document(document), in: connection)
        guard document.status == .draft else { throw DocumentError.issued(id: id, number: document.reference) }
        try Authority.require(action, by: principal, on: .document(document), in: connection)
        return (
            document, try row.decode("stored_model", as: PostgresJSON<DocumentModel>.self).value,
            try row.decode("stored_parts", as: PostgresJSON<[String: String]>.self).value
        )
    }

    private func store(files: [DocumentFormat: Data], of id: Int64, in connection: PostgresConnection) throws {
        for (format, data) in files.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            try connection.query(
                "INSERT INTO danvan.document_files (document_id, format, content, sha256) VALUES ($1, $2, $3, sha256($3))",
                id, format.rawValue, data
            )
        }
    }

    public func find(_ id: Int64, on executor: some PostgresExecutor) throws -> StoredDocument? {
        try executor.query("SELECT \(StoredDocument.columns) FROM danvan.documents AS d WHERE d.id = $1", id).first.map(StoredDocument.init(row:))
    }

    /// Documents issued by `unit` or a unit under it, or concerning one (a conclusion
    /// sent to an inspected commune), newest first; `before` pages by id.
    public func list(
        under unit: Int64, kind: DocumentKind? = nil, status: StoredDocument.Status? = nil, before: Int64? = nil, limit: Int = 50,
        on executor: some PostgresExecutor
    ) throws -> [StoredDocument] {
        try executor.query(
            """
            SELECT \(StoredDocument.columns) FROM danvan.documents AS d
            WHERE (d.unit_id IN (SELECT id FROM danvan.units WHERE path @> ARRAY[$1::bigint])
                   OR d.concerned_unit_id IN (SELECT id FROM danvan.units WHERE path @> ARRAY[$1::bigint]))
              AND ($2::text IS NULL OR d.kind::text = $2) AND ($3::text IS NULL OR d.status::text = $3) AND ($4::bigint IS NULL OR d.id < $4)
            ORDER BY d.id DESC LIMIT $5
            """,
            unit, kind?.rawValue, status?.rawValue, before, Int32(min(max(limit, 1), 1000))
        ).map(StoredDocument.init(row:))
    }

    /// A file's bytes and SHA-256 (hex), as stored.
    public func file(_ id: Int64, _ format: DocumentFormat, on executor: some PostgresExecutor) throws -> (data: Data, sha256: String)? {
        guard let row = try executor.query(
            "SELECT content, encode(sha256, 'hex') AS sha256 FROM danvan.document_files WHERE document_id = $1 AND format = $2", id, format.rawValue
        ).first else { return nil }
        return (try row.decode("content"), try row.decode("sha256"))
    }

    /// A part's text as stored: line ends as "\n", composed (NFC), no control
    /// characters but tabs and line ends, trimmed, at most `partLimit` characters.
    static func clean(_ text: String, key: String) throws -> String {
        // Counted as sent, in code points, as the API's schema counts `maxLength`: text
        // over the limit is refused even when trimming would bring it under.
        let sent = text.unicodeScalars.count
        guard sent <= partLimit else { throw DocumentError.partTooLong(key: key, length: sent, limit: partLimit) }
        let unified = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        if let control = unified.unicodeScalars.first(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" }) {
            throw DocumentError.partText(key: key, why: "control character U+\(String(control.value, radix: 16, uppercase: true)) is not allowed")
        }
        let cleaned = unified.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
        // Canonical composition can lengthen a few rare characters.
        let length = cleaned.unicodeScalars.count
        guard length <= partLimit else { throw DocumentError.partTooLong(key: key, length: length, limit: partLimit) }
        return cleaned
    }
}
