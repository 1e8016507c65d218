import DanVan
import Foundation
import PostgresClient
import Testing

/// Hands every document a demo issued to independent readers: writes each main file
/// with what the database says it must show (`expectations.json`: number, symbol,
/// issue day, signer, the snapshot's figures, the stored plan's visits, the visit's
/// findings) and runs `Tests/Office/check_documents.py`, which reads them with
/// python-docx and openpyxl, converts every one to PDF with LibreOffice and renders
/// the first page of one of each kind to `.build/office-renders/<kind>.png`.
enum OfficeDocumentCheck {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let renders = root.appendingPathComponent(".build/office-renders")

    /// Returns the checker's output; records an issue when it fails.
    @discardableResult
    static func run(on demo: PostgresConnection, into folder: URL) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let current: Int64 = try demo.query("SELECT snapshot_id FROM danvan.current_statistics").single().decode("snapshot_id")
        let registry = DocumentRegistry()
        var documents: [[String: Any]] = []
        for row in try demo.query("SELECT id FROM danvan.documents WHERE status = 'issued' ORDER BY id") {
            let document = try #require(try registry.find(try row.decode("id"), on: demo))
            let format: DocumentFormat = document.kind == .statisticsWorkbook ? .xlsx : .docx
            let file = try #require(try registry.file(document.id, format, on: demo))
            let name = "\(document.id).\(format.rawValue)"
            try file.data.write(to: folder.appendingPathComponent(name))
            let issuer = try DocumentIssuer.of(unit: document.unitID, on: try #require(document.issuedOn), in: demo)
            var entry: [String: Any] = [
                "id": document.id, "kind": document.kind.rawValue, "file": name,
                "numberLine": "Số \(try #require(document.number))-\(document.symbol)", "issuedOn": try #require(document.issuedOn).iso,
                "superior": issuer.superior, "issuer": issuer.issuer, "place": issuer.place, "signer": document.parts["signer"] ?? "",
            ]
            if let period = document.periodID, document.snapshotID == current {
                entry["snapshot"] = try snapshot(unit: document.unitID, period: period, on: demo)
            }
            if let plan = document.planID, document.kind != .inspectionConclusion {
                entry["visits"] = try visits(of: plan, on: demo)
            }
            if let visit = document.visitID {
                let row = try demo.query(
                    """
                    SELECT v.findings, coalesce(v.recommendations, '') AS recommendations, to_char(d.due_on, 'DD/MM/YYYY') AS due
                    FROM danvan.inspection_visits AS v LEFT JOIN danvan.deadlines AS d ON d.id = v.remedy_deadline_id WHERE v.id = $1
                    """,
                    visit
                ).single()
                entry["findings"] = try row.decode("findings", as: String.self)
                entry["recommendations"] = try row.decode("recommendations", as: String.self)
                entry["remedyDue"] = try row.decode("due", as: String?.self) ?? ""
            }
            documents.append(entry)
        }
        let json = try JSONSerialization.data(withJSONObject: ["documents": documents], options: [.prettyPrinted, .sortedKeys])
        try json.write(to: folder.appendingPathComponent("expectations.json"))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("Tests/Office/check_documents.py").path, folder.path, renders.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "the office documents failed their independent check:\n\(text)")
        return text
    }

    /// The snapshot's figures for the unit (all fields, and each field by its sheet
    /// name) and for each unit under it, as the checker compares them.
    static func snapshot(unit: Int64, period: Int64, on demo: PostgresConnection) throws -> [String: Any] {
        let rows = try ReportRows.read(unit: unit, period: period, on: demo)
        func figures(_ f: StatisticsFigures?) -> [String: Any] {
            [
                "registered": f?.modelsRegistered ?? 0, "recognised": f?.modelsRecognised ?? 0, "commended": f?.modelsCommended ?? 0,
                "collective": f?.collective ?? 0, "individual": f?.individual ?? 0, "conferences": f?.conferences ?? 0,
                "conferenceAttendees": f?.conferenceAttendees ?? 0, "inspectionsDone": f?.inspectionsDone ?? 0,
                "inspectionsPlanned": f?.inspectionsPlanned ?? 0, "deadlinesMet": f?.deadlinesMet ?? 0,
                "deadlinesMetLate": f?.deadlinesMetLate ?? 0, "deadlinesOverdue": f?.deadlinesOverdue ?? 0,
            ]
        }
        var total = figures(rows.unit.total)
        let keys: [Model.Field: String] = [
            .economy: "economy", .cultureSociety: "cultureSociety", .defenceSecurity: "defenceSecurity", .politicalSystem: "politicalSystem",
        ]
        total["byField"] = Dictionary(uniqueKeysWithValues: Model.Field.allCases.map { (keys[$0] ?? "", rows.unit.figures[$0]?.modelsRegistered ?? 0) })
        return [
            "total": total,
            "fields": Dictionary(uniqueKeysWithValues: Model.Field.allCases.map { ($0.vietnamese, figures(rows.unit.figures[$0])) }),
            "rows": rows.below.map { ["name": $0.unitName, "registered": $0.total?.modelsRegistered ?? 0, "recognised": $0.total?.modelsRecognised ?? 0] },
        ]
    }

    /// The stored plan's visits in order: when, where, by which delegation, led by whom.
    static func visits(of plan: Int64, on demo: PostgresConnection) throws -> [[String: String]] {
        try demo.query(
            """
            SELECT CASE v.slot WHEN 'morning' THEN 'Sáng' ELSE 'Chiều' END || ' ngày ' || to_char(v.visit_on, 'DD/MM/YYYY') AS time,
                   danvan.unit_name_on(v.unit_id, v.visit_on) AS unit, d.name AS delegation, d.leader
            FROM danvan.inspection_visits AS v JOIN danvan.delegations AS d ON d.id = v.delegation_id
            WHERE v.plan_id = $1 ORDER BY v.visit_on, v.slot = 'afternoon', v.delegation_id, v.id
            """,
            plan
        ).map { row in
            ["time": try row.decode("time"), "unit": try row.decode("unit"), "delegation": try row.decode("delegation"), "leader": try row.decode("leader")]
        }
    }
}
