import DanVan
import Foundation
import HTTPTypes
import OpenAPIRuntime
import PostgresClient

/// A model's file over HTTP: its substance and results, evidence, evaluations and
/// decisions (`ModelRecords`, which asks `Authority`).
extension APIHandlers {
    func getModelRecord(_ input: Operations.GetModelRecord.Input) async throws -> Operations.GetModelRecord.Output {
        let principal = try Principal.require(.readModels)
        let id = input.path.id
        let record = try await readRecord(id, principal)
        return .ok(.init(body: .json(record)))
    }

    func describeModel(_ input: Operations.DescribeModel.Input) async throws -> Operations.DescribeModel.Output {
        let principal = try Principal.require(.describeModel)
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        let id = input.path.id
        try APIInput.count(request.results?.count, "results", atMost: 50)
        for (index, result) in (request.results ?? []).enumerated() { try APIInput.number(result.quantity, "results[\(index)].quantity", -1e15...1e15) }
        let results = (request.results ?? []).map { ModelRecord.Result(label: $0.label, quantity: Self.decimal($0.quantity), unit: $0.unit ?? "") }
        let record = try await transaction(key: nil, principal: principal, operation: "describeModel", request: request) { connection in
            try ModelRecords().describe(id, description: request.description, results: results, by: principal, in: connection)
            return Components.Schemas.ModelRecord(try ModelRecords().record(id, by: principal, on: connection))
        }
        return .ok(.init(body: .json(record)))
    }

    func attachEvidence(_ input: Operations.AttachEvidence.Input) async throws -> Operations.AttachEvidence.Output {
        let principal = try Principal.require(.describeModel)
        let id = input.path.id
        let (body, type): (HTTPBody, String) = switch input.body {
        case .pdf(let body): (body, "application/pdf")
        case .jpeg(let body): (body, "image/jpeg")
        case .png(let body): (body, "image/png")
        case .binary(let body): (body, "application/octet-stream")
        case .applicationVnd_openxmlformatsOfficedocument_wordprocessingml_document(let body):
            (body, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        case .applicationVnd_openxmlformatsOfficedocument_spreadsheetml_sheet(let body):
            (body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        }
        let data = try await Data(collecting: body, upTo: ModelRecordError.evidenceLimit + 1)
        let name = input.query.name
        let evidence = try await transaction(key: nil, principal: principal, operation: "attachEvidence", request: "") { connection in
            Components.Schemas.Evidence(try ModelRecords().attach(id, fileName: name, contentType: type, data: data, by: principal, in: connection))
        }
        return .created(.init(body: .json(evidence)))
    }

    func downloadEvidence(_ input: Operations.DownloadEvidence.Input) async throws -> Operations.DownloadEvidence.Output {
        let principal = try Principal.require(.readModels)
        let (model, evidenceID) = (input.path.id, input.path.evidenceId)
        let found = try await database.run { pool in
            do {
                return try ModelRecords().download(model, evidence: evidenceID, by: principal, on: pool)
            } catch {
                throw DomainProblem.from(error) ?? error
            }
        }
        guard let (evidence, data) = found else { throw Problem(.notFound, "model \(model) has no evidence \(evidenceID)") }
        return .ok(.init(headers: .init(digestSHA256: evidence.sha256), body: .binary(HTTPBody(data))))
    }

    func evaluateModel(_ input: Operations.EvaluateModel.Input) async throws -> Operations.EvaluateModel.Output {
        let principal = try Principal.require(.evaluateModel)
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        let id = input.path.id
        let day = try APIInput.day(request.day, "day")
        for (index, item) in request.criteria.enumerated() {
            try APIInput.number(item.score, "criteria[\(index)].score", 0...10_000)
            try APIInput.number(item.max, "criteria[\(index)].max", 0...10_000, excludingLower: true)
        }
        let criteria = request.criteria.map { ModelRecord.Criterion(criterion: $0.criterion, score: Self.decimal($0.score), max: Self.decimal($0.max)) }
        let record = try await transaction(key: input.headers.idempotencyKey, principal: principal, operation: "evaluateModel", request: request) { connection in
            try ModelRecords().evaluate(id, on: day, guidance: request.guidance ?? "", criteria: criteria, by: principal, in: connection)
            return Components.Schemas.ModelRecord(try ModelRecords().record(id, by: principal, on: connection))
        }
        return .ok(.init(body: .json(record)))
    }

    func recordDecision(_ input: Operations.RecordDecision.Input) async throws -> Operations.RecordDecision.Output {
        let principal = try Principal.require(.evaluateModel)
        guard case .json(let request) = input.body else { throw Problem(.unsupportedMediaType) }
        let id = input.path.id
        let day = try APIInput.day(request.signedOn, "signedOn")
        let kind: ModelRecord.Decision.Kind = request.kind == .recognition ? .recognition : .commendation
        try APIInput.id(request.issuerUnitId, "issuerUnitId")
        try APIInput.id(request.proposerUnitId, "proposerUnitId")
        let record = try await transaction(key: input.headers.idempotencyKey, principal: principal, operation: "recordDecision", request: request) { connection in
            try ModelRecords().decide(
                id, kind: kind, number: request.number, signedOn: day, issuer: request.issuerUnitId, proposer: request.proposerUnitId, by: principal,
                in: connection
            )
            return Components.Schemas.ModelRecord(try ModelRecords().record(id, by: principal, on: connection))
        }
        return .ok(.init(body: .json(record)))
    }

    private func readRecord(_ id: Int64, _ principal: Principal) async throws -> Components.Schemas.ModelRecord {
        try await database.run { pool in
            do {
                return Components.Schemas.ModelRecord(try ModelRecords().record(id, by: principal, on: pool))
            } catch {
                throw DomainProblem.from(error) ?? error
            }
        }
    }

    /// A JSON number as the decimal a person wrote (550000000, 20.5), not its binary neighbour.
    static func decimal(_ value: Double) -> Decimal { Decimal(string: "\(value)") ?? Decimal(value) }
}

extension Components.Schemas.ModelRecord {
    init(_ record: ModelRecord) {
        func double(_ value: Decimal) -> Double { NSDecimalNumber(decimal: value).doubleValue }
        self.init(
            modelId: record.modelID, description: record.description,
            results: record.results.map { .init(label: $0.label, quantity: double($0.quantity), unit: $0.unit) },
            evidence: record.evidence.map(Components.Schemas.Evidence.init),
            evaluations: record.evaluations.map { evaluation in
                .init(
                    evaluatorUnitId: evaluation.evaluatorUnitID, day: evaluation.evaluatedOn.description, guidance: evaluation.guidance,
                    criteria: evaluation.criteria.map { .init(criterion: $0.criterion, score: double($0.score), max: double($0.max)) },
                    score: double(evaluation.score), maxScore: double(evaluation.maxScore)
                )
            },
            decisions: record.decisions.map { decision in
                .init(
                    kind: decision.kind == .recognition ? .recognition : .commendation, number: decision.number, signedOn: decision.signedOn.description,
                    issuerUnitId: decision.issuerUnitID, proposerUnitId: decision.proposerUnitID
                )
            },
            follower: record.follower.map(Components.Schemas.Member.init)
        )
    }
}

extension Components.Schemas.Evidence {
    init(_ evidence: ModelRecord.Evidence) {
        self.init(id: evidence.id, fileName: evidence.fileName, contentType: evidence.contentType, sizeBytes: evidence.sizeBytes, sha256: evidence.sha256)
    }
}
