import DanVan
import Foundation
import Kheo
import PostgresClient

/// The offices' documents in the demo's year, drafted by `document.draft` jobs and
/// issued the day they fall due: each review report and statistics workbook on its
/// report day (for the province and the units under it on the period's last day),
/// a plan's "Kế hoạch kiểm tra" and "Thông báo lịch kiểm tra" the day it is
/// scheduled, a visit's "Thông báo kết luận kiểm tra" the day its findings come in.
/// Each draft gets its signer and is issued by its unit's admin (the unit that took
/// over from it, when it has since been merged or dissolved), so the numbers run
/// through the year in each unit's register.
struct DemoDocuments {
    let connection: PostgresConnection
    let seed: UInt64

    /// Enqueues the drafts the day calls for; returns how many.
    func enqueueDrafts(reports: [(unit: Int64, period: Int64)]) throws -> Int {
        var requests: [DocumentRequest] = reports.flatMap { report in
            [DocumentKind.reviewReport, .statisticsWorkbook].map { DocumentRequest(kind: $0, unitID: report.unit, periodID: report.period) }
        }
        // Each office's signer is named in the draft, as an office always has its head sign.
        for row in try connection.query(
            """
            SELECT p.id FROM danvan.inspection_plans AS p
            WHERE p.status = 'scheduled' AND NOT EXISTS (SELECT 1 FROM danvan.documents AS d WHERE d.plan_id = p.id AND d.kind = 'inspection_plan')
            ORDER BY p.id
            """
        ) {
            let plan: Int64 = try row.decode("id")
            requests += [DocumentRequest(kind: .inspectionPlan, planID: plan), DocumentRequest(kind: .inspectionSchedule, planID: plan)]
        }
        for row in try connection.query(
            """
            SELECT v.id FROM danvan.inspection_visits AS v
            WHERE v.done_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM danvan.documents AS d WHERE d.visit_id = v.id)
            ORDER BY v.id
            """
        ) {
            requests.append(DocumentRequest(kind: .inspectionConclusion, visitID: try row.decode("id")))
        }
        guard !requests.isEmpty else { return 0 }
        try connection.transaction { connection in
            for var request in requests {
                request.parts = ["signer": signer(of: try DocumentRegistry().issuingUnit(for: request, on: connection))]
                try Producer().enqueue(DocumentJobs.Draft(request), options: EnqueueOptions(queue: DanVanJobs.queue), on: connection)
            }
        }
        return requests.count
    }

    /// Issues each draft (its signer was named when it was asked for); returns how
    /// many were issued.
    @discardableResult
    func issueDrafts(by current: (Int64) -> Int64) throws -> Int {
        // In an order fixed by what the drafts are, not by which worker finished
        // first, so the same seed gives the same numbers.
        let drafts = try connection.query(
            """
            SELECT d.id, d.unit_id FROM danvan.documents AS d
            LEFT JOIN danvan.periods AS pe ON pe.id = d.period_id
            LEFT JOIN danvan.inspection_plans AS p ON p.id = d.plan_id
            LEFT JOIN danvan.inspection_visits AS v ON v.id = d.visit_id
            WHERE d.status = 'draft'
            ORDER BY d.unit_id, d.kind, pe.starts_on, pe.ends_on, p.title, v.visit_on, v.slot, danvan.unit_name_on(v.unit_id, v.visit_on), d.id
            """
        )
        let registry = DocumentRegistry()
        for row in drafts {
            let id: Int64 = try row.decode("id")
            let unit: Int64 = try row.decode("unit_id")
            _ = try connection.transaction { connection in try registry.issue(id, by: .unit(current(unit), .admin), in: connection) }
        }
        return drafts.count
    }

    /// The official who signs for a unit, the same in every run with the same seed.
    func signer(of unit: Int64) -> String {
        var random = SeededGenerator(seed: seed ^ UInt64(bitPattern: unit) &* 0x9E37_79B9_7F4A_7C15)
        return VietnameseNames.person(&random)
    }
}
