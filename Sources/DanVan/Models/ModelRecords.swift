public import Foundation
public import PostgresClient

/// Keeps a model's record. Describing it and filing evidence belong to the registrant's
/// side (`.describeModel`: the registering unit and the units above it); evaluating it
/// and recording the decisions to the campaign's side (`.evaluateModel`), never to the
/// registrant. A decision moves the model to the state it confers, on its day.
public struct ModelRecords: Sendable {
    public init() {}

    /// Sets the description and the results (replacing the results listed before).
    public func describe(
        _ modelID: Int64, description: String, results: [ModelRecord.Result], by principal: Principal, in connection: PostgresConnection
    ) throws {
        _ = try require(.describeModel, modelID, principal, connection)
        guard results.count <= 50 else { throw ModelRecordError.tooManyResults(results.count) }
        let text: String
        var cleaned: [(String, String, String)] = []
        do {
            text = description.isEmpty ? "" : try DomainText.clean(description, field: "description", maxLength: 5000)
            for result in results {
                cleaned.append((
                    try DomainText.clean(result.label, field: "result label", maxLength: 300),
                    "\(result.quantity)",
                    result.unit.isEmpty ? "" : try DomainText.clean(result.unit, field: "result unit", maxLength: 50)
                ))
            }
        } catch {
            throw ModelRecordError.invalidText(error)
        }
        try connection.query("UPDATE danvan.models SET description = $2 WHERE id = $1", modelID, text)
        try connection.query("DELETE FROM danvan.model_results WHERE model_id = $1", modelID)
        for (index, result) in cleaned.enumerated() {
            try connection.query(
                "INSERT INTO danvan.model_results (model_id, position, label, quantity, unit) VALUES ($1, $2, $3, $4::numeric, $5)",
                modelID, Int32(index + 1), result.0, result.1, result.2
            )
        }
    }

    /// Files a piece of evidence; the same file again returns the first filing.
    public func attach(
        _ modelID: Int64, fileName: String, contentType: String, data: Data, by principal: Principal, in connection: PostgresConnection
    ) throws -> ModelRecord.Evidence {
        _ = try require(.describeModel, modelID, principal, connection)
        guard !data.isEmpty else { throw ModelRecordError.emptyEvidence }
        guard data.count <= ModelRecordError.evidenceLimit else { throw ModelRecordError.evidenceTooLarge(bytes: data.count) }
        let name: String
        do {
            name = try DomainText.clean(fileName.split(separator: "/").last.map(String.init) ?? fileName, field: "file name", maxLength: 255)
        } catch {
            throw ModelRecordError.invalidText(error)
        }
        return try evidenceRow(connection.query(
            """
            WITH new AS (
                INSERT INTO danvan.model_evidence (model_id, file_name, content_type, size_bytes, sha256, content)
                VALUES ($1, $2, $3, octet_length($4::bytea), sha256($4::bytea), $4::bytea)
                ON CONFLICT (model_id, sha256) DO NOTHING
                RETURNING id, file_name, content_type, size_bytes, encode(sha256, 'hex') AS sha256
            )
            SELECT * FROM new
            UNION ALL
            SELECT id, file_name, content_type, size_bytes, encode(sha256, 'hex') FROM danvan.model_evidence
            WHERE model_id = $1 AND sha256 = sha256($4::bytea) AND NOT EXISTS (SELECT 1 FROM new)
            """,
            modelID, name, String(contentType.prefix(200)), data
        ).single())
    }

    /// A filed piece of evidence with its bytes, for whoever may read the model.
    public func download(
        _ modelID: Int64, evidence evidenceID: Int64, by principal: Principal, on executor: some PostgresExecutor
    ) throws -> (ModelRecord.Evidence, Data)? {
        _ = try require(.readModels, modelID, principal, executor)
        guard let row = try executor.query(
            """
            SELECT id, file_name, content_type, size_bytes, encode(sha256, 'hex') AS sha256, content
            FROM danvan.model_evidence WHERE id = $1 AND model_id = $2
            """,
            evidenceID, modelID
        ).first else { return nil }
        return (try evidenceRow(row), try row.decode("content", as: Data.self))
    }

    /// Records an evaluation against criteria by the campaign's side.
    public func evaluate(
        _ modelID: Int64, on day: CivilDate, guidance: String, criteria: [ModelRecord.Criterion], by principal: Principal,
        in connection: PostgresConnection
    ) throws {
        let evaluator = try require(.evaluateModel, modelID, principal, connection)
        guard !criteria.isEmpty, criteria.count <= 50 else { throw ModelRecordError.invalidCriteria("list 1 to 50 criteria") }
        var cleaned: [ModelRecord.Criterion] = []
        for item in criteria {
            guard item.max > 0, item.score >= 0, item.score <= item.max else {
                throw ModelRecordError.invalidCriteria("\"\(item.criterion.prefix(60))\" scores \(item.score) of \(item.max)")
            }
            do {
                cleaned.append(.init(criterion: try DomainText.clean(item.criterion, field: "criterion", maxLength: 500), score: item.score, max: item.max))
            } catch {
                throw ModelRecordError.invalidText(error)
            }
        }
        let guidanceText: String
        do { guidanceText = guidance.isEmpty ? "" : try DomainText.clean(guidance, field: "guidance", maxLength: 300) } catch { throw ModelRecordError.invalidText(error) }
        let json = String(decoding: try JSONEncoder().encode(cleaned), as: UTF8.self)
        try connection.query(
            """
            INSERT INTO danvan.model_evaluations (model_id, evaluator_unit_id, evaluated_on, guidance, criteria, score, max_score)
            VALUES ($1, $2, $3::date, $4, $5::jsonb, $6::numeric, $7::numeric)
            """,
            modelID, evaluator, day.iso, guidanceText, json,
            "\(cleaned.reduce(Decimal(0)) { $0 + $1.score })", "\(cleaned.reduce(Decimal(0)) { $0 + $1.max })"
        )
    }

    /// Records a recognition or commendation decision and moves the model to the state
    /// it confers on the day it was signed (unless it is there already).
    public func decide(
        _ modelID: Int64, kind: ModelRecord.Decision.Kind, number: String, signedOn day: CivilDate, issuer: Int64, proposer: Int64?,
        by principal: Principal, in connection: PostgresConnection
    ) throws {
        _ = try require(.evaluateModel, modelID, principal, connection)
        for unit in [issuer] + (proposer.map { [$0] } ?? []) {
            guard try UnitDirectory().find(unit, on: connection) != nil else { throw UnitError.notFound(unit) }
        }
        let cleaned: String
        do { cleaned = try DomainText.clean(number, field: "decision number", maxLength: 100) } catch { throw ModelRecordError.invalidText(error) }
        let inserted = try connection.query(
            """
            INSERT INTO danvan.model_decisions (model_id, kind, number, signed_on, issuer_unit_id, proposer_unit_id)
            VALUES ($1, $2::danvan.decision_kind, $3, $4::date, $5, $6) ON CONFLICT (model_id, kind) DO NOTHING RETURNING id
            """,
            modelID, kind.rawValue, cleaned, day.iso, issuer, proposer
        )
        guard !inserted.isEmpty else { throw ModelRecordError.decisionAlreadyRecorded(kind: kind.vietnamese) }
        let state: String = try connection.query("SELECT state::text AS state FROM danvan.models WHERE id = $1", modelID).single().decode("state")
        if state != kind.state.rawValue {
            _ = try ModelRegistry().transition(modelID, to: kind.state, on: day, note: "Quyết định số \(cleaned)", by: principal, in: connection)
        }
    }

    /// The whole record, for whoever may read the model.
    public func record(_ modelID: Int64, by principal: Principal, on executor: some PostgresExecutor) throws -> ModelRecord {
        _ = try require(.readModels, modelID, principal, executor)
        let description: String = try executor.query("SELECT description FROM danvan.models WHERE id = $1", modelID).single().decode("description")
        let results = try executor.query(
            "SELECT label, quantity::text AS quantity, unit FROM danvan.model_results WHERE model_id = $1 ORDER BY position", modelID
        ).map { row in
            ModelRecord.Result(label: try row.decode("label"), quantity: Decimal(string: try row.decode("quantity")) ?? 0, unit: try row.decode("unit"))
        }
        let evidence = try executor.query(
            "SELECT id, file_name, content_type, size_bytes, encode(sha256, 'hex') AS sha256 FROM danvan.model_evidence WHERE model_id = $1 ORDER BY id",
            modelID
        ).map(evidenceRow)
        let evaluations = try executor.query(
            """
            SELECT evaluator_unit_id, to_char(evaluated_on, 'DD/MM/YYYY') AS evaluated_on, guidance, criteria::text AS criteria,
                   score::text AS score, max_score::text AS max_score
            FROM danvan.model_evaluations AS e WHERE model_id = $1 ORDER BY e.evaluated_on, e.id
            """,
            modelID
        ).map { row in
            ModelRecord.Evaluation(
                evaluatorUnitID: try row.decode("evaluator_unit_id"), evaluatedOn: try CivilDate(parsing: try row.decode("evaluated_on")),
                guidance: try row.decode("guidance"),
                criteria: try JSONDecoder().decode([ModelRecord.Criterion].self, from: Data(try row.decode("criteria", as: String.self).utf8)),
                score: Decimal(string: try row.decode("score")) ?? 0, maxScore: Decimal(string: try row.decode("max_score")) ?? 0
            )
        }
        let decisions = try executor.query(
            """
            SELECT kind::text AS kind, number, to_char(signed_on, 'DD/MM/YYYY') AS signed_on, issuer_unit_id, proposer_unit_id
            FROM danvan.model_decisions AS d WHERE model_id = $1 ORDER BY d.signed_on, d.id
            """,
            modelID
        ).map { row in
            ModelRecord.Decision(
                kind: ModelRecord.Decision.Kind(rawValue: try row.decode("kind")) ?? .recognition, number: try row.decode("number"),
                signedOn: try CivilDate(parsing: try row.decode("signed_on")), issuerUnitID: try row.decode("issuer_unit_id"),
                proposerUnitID: try row.decode("proposer_unit_id")
            )
        }
        return ModelRecord(
            modelID: modelID, description: description, results: results, evidence: evidence, evaluations: evaluations, decisions: decisions,
            follower: try Members().follower(of: modelID, on: executor)
        )
    }

    /// Asks the rules for `action` on the model; returns the acting unit (the
    /// campaign's unit for the system and operators).
    private func require(_ action: Action, _ modelID: Int64, _ principal: Principal, _ executor: some PostgresExecutor) throws -> Int64 {
        guard let row = try executor.query(
            "SELECT m.unit_id, c.unit_id AS campaign_unit FROM danvan.models AS m JOIN danvan.campaigns AS c ON c.id = m.campaign_id WHERE m.id = $1",
            modelID
        ).first else { throw ModelError.notFound(modelID) }
        let registrant: Int64 = try row.decode("unit_id"), campaignUnit: Int64 = try row.decode("campaign_unit")
        try Authority.require(action, by: principal, on: .model(modelID, registrant: registrant, campaignUnit: campaignUnit), in: executor)
        return principal.unitID ?? campaignUnit
    }

    private func evidenceRow(_ row: PostgresRow) throws -> ModelRecord.Evidence {
        ModelRecord.Evidence(
            id: try row.decode("id"), fileName: try row.decode("file_name"), contentType: try row.decode("content_type"),
            sizeBytes: Int(try row.decode("size_bytes", as: Int32.self)), sha256: try row.decode("sha256")
        )
    }
}
