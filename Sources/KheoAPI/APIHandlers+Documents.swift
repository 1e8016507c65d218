import DanVan
import Foundation
import HTTPTypes
import Kheo
import OpenAPIRuntime
import PostgresClient

/// `/v1/documents`: the registry of office documents. A draft is asked for (a
/// `document.draft` job builds it from the data), its narrative parts are edited, it
/// is issued with the next number of its unit's register, and its files are
/// downloaded, the same bytes every time once issued.
extension APIHandlers {
    func listDocuments(_ input: Operations.ListDocuments.Input) async throws -> Operations.ListDocuments.Output {
        let principal = try Principal.require(.readDocuments)
        let query = input.query
        let limit = try APIInput.limit(query.limit, cursor: query.cursor)
        try APIInput.id(query.unit, "unit")
        let unit = try principal.defaultUnit(query.unit)
        let kind = query.kind.flatMap { DocumentKind(rawValue: $0.rawValue) }
        let status = query.status.flatMap { StoredDocument.Status(rawValue: $0.rawValue) }
        let found = try await database.run { pool in
            try APIInput.requireScope(.readDocuments, unit: unit, principal, on: pool)
            return try DocumentRegistry().list(under: unit, kind: kind, status: status, before: query.cursor, limit: limit + 1, on: pool)
        }
        let page = APIInput.page(found, limit: limit, id: \.id)
        return .ok(.init(body: .json(.init(documents: try page.rows.map(Components.Schemas.Document.init), nextCursor: page.next))))
    }

    func draftDocument(_ input: Operations.DraftDocument.Input) async throws -> Operations.DraftDocument.Output {
        let principal = try Principal.require(.draftDocument)
        guard case .json(let body) = input.body else { throw Problem(.unsupportedMediaType) }
        for (value, name) in [(body.unitId, "unitId"), (body.periodId, "periodId"), (body.planId, "planId"), (body.visitId, "visitId"), (body.correctsId, "correctsId")] {
            try APIInput.id(value, name)
        }
        guard let kind = DocumentKind(rawValue: body.kind.rawValue) else { throw Problem(.badRequest, "unknown document kind") }
        let request: DocumentRequest
        do {
            request = try DocumentRequest(
                kind: kind, unitID: body.unitId, periodID: body.periodId, planID: body.planId, visitID: body.visitId, correctsID: body.correctsId,
                parts: body.parts?.additionalProperties
            ).validated()
        } catch {
            throw DomainProblem.from(error) ?? error
        }
        let job = try await transaction(key: input.headers.idempotencyKey, principal: principal, operation: "draftDocument", request: body) { connection in
            let issuer = try DocumentRegistry().authoriseDraft(request, by: principal, in: connection)
            var options = EnqueueOptions(queue: DanVanJobs.queue)
            options.tags = [JobScope.unitTag(issuer)]
            // Keyed by the issuing unit: the domain queue takes each unit's drafts in turn.
            var draft = try JobRequest(DocumentJobs.Draft(request), options: options)
            draft.partitionKey = DanVanJobs.unitKey(issuer)
            return try Producer().insert(draft, on: connection).id
        }
        return .accepted(.init(body: .json(.init(jobId: job))))
    }

    func getDocument(_ input: Operations.GetDocument.Input) async throws -> Operations.GetDocument.Output {
        .ok(.init(body: .json(try .init(try await document(input.path.id)))))
    }

    func editDocument(_ input: Operations.EditDocument.Input) async throws -> Operations.EditDocument.Output {
        let principal = try Principal.require(.editDocument)
        guard case .json(let body) = input.body else { throw Problem(.unsupportedMediaType) }
        let id = input.path.id
        let parts = body.parts.additionalProperties
        _ = try await transaction(key: input.headers.idempotencyKey, principal: principal, operation: "editDocument", request: body) { connection in
            try DocumentRegistry().edit(id, parts: parts, by: principal, in: connection).id
        }
        return .ok(.init(body: .json(try .init(try await document(id)))))
    }

    func issueDocument(_ input: Operations.IssueDocument.Input) async throws -> Operations.IssueDocument.Output {
        let principal = try Principal.require(.issueDocument)
        let id = input.path.id
        _ = try await transaction(key: input.headers.idempotencyKey, principal: principal, operation: "issueDocument", request: ["id": id]) { connection in
            try DocumentRegistry().issue(id, by: principal, in: connection).id
        }
        return .ok(.init(body: .json(try .init(try await document(id)))))
    }

    func downloadDocument(_ input: Operations.DownloadDocument.Input) async throws -> Operations.DownloadDocument.Output {
        let found = try await document(input.path.id)
        guard let format = DocumentFormat(rawValue: input.path.format.rawValue),
              let file = try await database.run({ pool in try DocumentRegistry().file(found.id, format, on: pool) }) else {
            throw Problem(.notFound, "document \(found.id) has no \(input.path.format.rawValue) file")
        }
        // ETag and Content-Disposition are added by `FileHeadersMiddleware`.
        let headers = Operations.DownloadDocument.Output.Ok.Headers(digestSHA256: file.sha256)
        let body: Operations.DownloadDocument.Output.Ok.Body = switch format {
        case .docx: .applicationVnd_openxmlformatsOfficedocument_wordprocessingml_document(HTTPBody(file.data))
        case .xlsx: .applicationVnd_openxmlformatsOfficedocument_spreadsheetml_sheet(HTTPBody(file.data))
        case .html: .html(HTTPBody(file.data))
        case .csv: .csv(HTTPBody(file.data))
        }
        return .ok(.init(headers: headers, body: body))
    }

    /// The document, when the caller may read it; otherwise the same 404 as one that
    /// does not exist.
    private func document(_ id: Int64) async throws -> StoredDocument {
        let principal = try Principal.require(.readDocuments)
        return try await database.run { pool in
            try APIInput.scoped(DocumentRegistry().find(id, on: pool), .readDocuments, subject: { .document($0) }, principal, on: pool, what: "document", id: id)
        }
    }
}

extension Components.Schemas.Document {
    init(_ document: StoredDocument) throws {
        guard let kind = Components.Schemas.DocumentKind(rawValue: document.kind.rawValue),
              let status = Components.Schemas.DocumentStatus(rawValue: document.status.rawValue) else {
            throw Problem(.internalServerError, "document \(document.id) has a kind or status the API does not describe")
        }
        self.init(
            id: document.id, unitId: document.unitID, kind: kind, status: status, title: document.title, periodId: document.periodID,
            planId: document.planID, visitId: document.visitID, concernedUnitId: document.concernedUnitID, snapshotId: document.snapshotID,
            number: document.number, symbol: document.symbol, reference: document.reference, issuedOn: document.issuedOn?.description,
            issuedAt: document.issuedAt, correctsId: document.correctsID,
            parts: document.partLabels.map { .init(key: $0.key, label: $0.label, text: document.parts[$0.key] ?? "") },
            files: document.files.sorted { $0.key.rawValue < $1.key.rawValue }.compactMap { format, sha in
                Components.Schemas.DocumentFormat(rawValue: format.rawValue).map { .init(format: $0, sha256: sha) }
            },
            createdAt: document.createdAt, updatedAt: document.updatedAt
        )
    }
}
