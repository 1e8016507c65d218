import DanVan
import Foundation
import KheoAPI
import KheoTesting
import PostgresClient
import Testing

@Suite("HTTP API: inspection plans")
struct InspectionAPITests {
    func plan(_ issuer: Int64, _ targets: [Int64], title: String = "Kiểm tra mô hình dân vận khéo", last: String = "08/08/2025") -> String {
        """
        {"issuingUnitId": \(issuer), "title": "\(title)", "firstDay": "04/08/2025", "lastDay": "\(last)",
         "targets": [\(targets.map(String.init).joined(separator: ", "))], "remedyDays": 20,
         "delegations": [{"name": "Đoàn kiểm tra số 1", "leader": "Lê Văn Bình", "members": ["Lê Văn Bình", "Trần Thị Hoa"]}],
         "holidays": [{"name": "Nghỉ bù", "first": "05/08/2025"}]}
        """
    }

    @Test func aPlanIsAcceptedScheduledByItsJobAndItsVisitsRecorded() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let district = try api.token(units.district, .editor)
            let accepted = try await api.post("/v1/inspection-plans", token: district, json: plan(units.district, [units.communeA, units.communeB]))
            #expect(accepted.status == 202, "\(accepted.text)")
            let planID = try #require(accepted.json["planId"] as? Int)
            let jobID = try #require(accepted.json["jobId"] as? Int)
            let job = try await api.request("GET", "/v1/jobs/\(jobID)", token: district)
            #expect(job.status == 200 && job.json["kind"] as? String == "inspection.schedule", "the caller can follow its job: \(job.text)")
            let before = try await api.request("GET", "/v1/inspection-plans/\(planID)", token: district)
            #expect(before.json["status"] as? String == "submitted" && (before.json["visits"] as? [Any])?.isEmpty == true)

            try await api.drainDomainQueue()
            let scheduled = try await api.request("GET", "/v1/inspection-plans/\(planID)", token: district)
            #expect(scheduled.json["status"] as? String == "scheduled", "\(scheduled.text)")
            let visits = scheduled.json["visits"] as? [[String: Any]] ?? []
            let days = visits.compactMap { $0["day"] as? String }
            #expect(days.count == 2 && days.first == "04/08/2025" && Set(days).count == 2 && !days.contains("05/08/2025"), "one visit a day, none on the holiday: \(visits)")
            let communeA = try api.token(units.communeA, .editor)
            #expect(try await api.request("GET", "/v1/inspection-plans/\(planID)", token: communeA).status == 404, "the district's plan is its own")

            let visit = try #require(visits.first?["id"] as? Int)
            let findings = #"{"day": "04/08/2025", "findings": "Mô hình duy trì tốt.", "recommendations": "Bổ sung sổ theo dõi."}"#
            let byInspected = try await api.post("/v1/inspection-visits/\(visit)/findings", token: communeA, json: findings)
            #expect(byInspected.status == 403 && byInspected.isProblem, "the inspected commune does not write its own findings: \(byInspected.text)")
            let recorded = try await api.post("/v1/inspection-visits/\(visit)/findings", token: district, json: findings)
            #expect(recorded.status == 200 && recorded.json["done"] as? Bool == true && recorded.json["remedyDeadlineId"] is Int, "\(recorded.text)")
            let twice = try await api.post("/v1/inspection-visits/\(visit)/findings", token: district, json: findings)
            #expect(twice.status == 409 && twice.isProblem, "\(twice.text)")
            let early = try await api.post(
                "/v1/inspection-visits/\(visits[1]["id"] as? Int ?? 0)/findings", token: district, json: findings.replacingOccurrences(of: "04/08/2025", with: "01/08/2025")
            )
            #expect(early.status == 409 && (early.json["detail"] as? String)?.contains("takes place on \(days.last ?? "")") == true, "\(early.text)")
        }
    }

    @Test func aPlanTooTightIsRejectedWithTheReason() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let district = try api.token(units.district, .editor)
            let tight = plan(units.district, [units.communeA, units.communeB], last: "04/08/2025")
                .replacingOccurrences(of: "\"remedyDays\": 20", with: "\"remedyDays\": 20, \"slots\": [\"morning\"]")
            let accepted = try await api.post("/v1/inspection-plans", token: district, json: tight)
            let planID = try #require(accepted.json["planId"] as? Int, "\(accepted.text)")
            try await api.drainDomainQueue()
            let rejected = try await api.request("GET", "/v1/inspection-plans/\(planID)", token: district)
            #expect(rejected.json["status"] as? String == "rejected" && (rejected.json["rejection"] as? String)?.contains("cannot be visited between 04/08/2025 and 04/08/2025") == true, "\(rejected.text)")
        }
    }

    @Test func badPlansAreRefusedAndStoreNothing() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let other = try UnitDirectory().create(.district, named: "Cầu Kè", under: try UnitDirectory().find(units.district, on: api.db.pool)?.parentID, on: api.db.pool)
            let district = try api.token(units.district, .editor)
            let communeA = try api.token(units.communeA, .editor)
            let good = plan(units.district, [units.communeA])
            let cases: [(String, String, String, Int)] = [
                ("a target outside the issuer", district, plan(units.district, [other.id]), 400),
                ("a target that does not exist", district, plan(units.district, [987_654]), 400),
                ("an issuer outside the token's unit", communeA, good, 404),
                ("a leader who is not a member", district, good.replacingOccurrences(of: "\"leader\": \"Lê Văn Bình\"", with: "\"leader\": \"Ai Đó\""), 400),
                ("the last day before the first", district, plan(units.district, [units.communeA], last: "01/08/2025"), 400),
                ("a plan over a year", district, plan(units.district, [units.communeA], last: "08/08/2027"), 400),
                ("remedy days out of range", district, good.replacingOccurrences(of: "\"remedyDays\": 20", with: "\"remedyDays\": 0"), 400),
                ("a target listed twice", district, plan(units.district, [units.communeA, units.communeA]), 400),
                ("no delegation", district, good.replacingOccurrences(of: #"[{"name": "Đoàn kiểm tra số 1", "leader": "Lê Văn Bình", "members": ["Lê Văn Bình", "Trần Thị Hoa"]}]"#, with: "[]"), 400),
                ("a viewer's token", try api.token(units.district, .viewer), good, 403),
            ]
            for (name, token, body, status) in cases {
                let reply = try await api.post("/v1/inspection-plans", token: token, json: body)
                #expect(reply.status == status && reply.isProblem, "\(name): \(reply.status) \(reply.text)")
                #expect(!reply.text.contains("Cầu Kè"), "\(name): nothing of another unit")
            }
            #expect(try api.count("SELECT count(*) FROM danvan.inspection_plans") == 0)
            #expect(try api.jobCount() == 0)
            let sql = #"Kế hoạch'); DELETE FROM danvan.units; --"#
            let quoted = try await api.post("/v1/inspection-plans", token: district, json: plan(units.district, [units.communeA], title: sql))
            let quotedID = try #require(quoted.json["planId"] as? Int, "\(quoted.text)")
            #expect(try await api.request("GET", "/v1/inspection-plans/\(quotedID)", token: district).json["title"] as? String == sql)
            #expect(try api.count("SELECT count(*) FROM danvan.units") == 5, "SQL metacharacters are only text")
            try api.db.pool.query("DELETE FROM kheo.jobs")
            try api.db.pool.query("DELETE FROM danvan.delegation_members")
            try api.db.pool.query("DELETE FROM danvan.delegations")
            try api.db.pool.query("DELETE FROM danvan.inspection_plans")
            let keyed = try await api.request("POST", "/v1/inspection-plans", token: district, body: Data(good.utf8), headers: ["Idempotency-Key": "plan-1"])
            let again = try await api.request("POST", "/v1/inspection-plans", token: district, body: Data(good.utf8), headers: ["Idempotency-Key": "plan-1"])
            #expect(keyed.status == 202 && again.status == 202 && keyed.json["planId"] as? Int == again.json["planId"] as? Int)
            #expect(try api.count("SELECT count(*) FROM danvan.inspection_plans") == 1 && api.jobCount() == 1)
        }
    }
}
