import DanVan
import Foundation
import Kheo
import KheoAPI
import KheoTesting
import PostgresClient
import Testing

/// Every operation of the OpenAPI document × every kind of caller, over HTTP against a
/// running `kheo serve --workers`. The operations come from the document itself, so an
/// endpoint added there fails this test until its row below says who may call it.
///
/// The records acted on belong to commune A (under district D, beside commune B, above
/// hamlet H); each cell gets fresh ones, so a change one caller makes never decides
/// another's answer. A refused request's body must name nothing of the records or units
/// it was refused on.
@Suite("HTTP API: who may cause what")
struct ScopeMatrixTests {
    enum Who: String, CaseIterable, CustomStringConvertible {
        case viewerOfA, editorOfA, adminOfA, siblingAdmin, parentAdmin, childAdmin, `operator`, noToken, revoked
        var description: String { rawValue }
    }

    /// The units, tokens and shared records of the matrix.
    struct World: Sendable {
        let api: APIHarness
        let district: Int64, communeA: Int64, communeB: Int64, hamlet: Int64
        let campaign: Int64, period: Int64
        let tokens: [String: String]
        /// Words that appear only in what belongs to A and the units around it: a
        /// refusal that contains one has said too much.
        static let secrets = ["Mỹ Cẩm", "An Trường", "Càng Long", "Ấp Mỹ Hòa", "BÍ MẬT"]

        func token(_ who: Who) -> String? { tokens[who.rawValue] }
        var pool: PostgresConnectionPool { api.db.pool }

        /// A job of commune A's, as the API would have tagged it.
        func job() throws -> Int64 {
            try Producer().enqueue(
                BuiltinJobs.Noop(), options: EnqueueOptions(queue: "matrix", tags: ["unit:\(communeA)"]), on: pool
            )
        }

        func deadline() throws -> Deadline {
            try DeadlineBook().create(
                for: communeA, kind: .other, title: "BÍ MẬT hạn \(UUID().uuidString.prefix(8))", due: try CivilDate(parsing: "15/06/2025"),
                by: .unit(district, .editor), on: pool
            )
        }

        func notification() throws -> Int64 {
            let deadline = try deadline()
            return try pool.query("SELECT id FROM danvan.notifications WHERE deadline_id = $1", deadline.id).single().decode("id")
        }

        /// A's model in D's campaign, moved to `state` by the district.
        func model(_ state: Model.State = .registered) throws -> Int64 {
            let model = try ModelRegistry().register(.init(
                campaignID: campaign, unitID: communeA, field: .economy, holder: .collective, holderName: "Tổ BÍ MẬT",
                title: "BÍ MẬT mô hình \(UUID().uuidString.prefix(8))", day: try CivilDate(parsing: "15/02/2025")
            ), by: .system, on: pool)
            if state == .implementing {
                _ = try ModelRegistry().transition(model.id, to: .implementing, on: try CivilDate(parsing: "01/03/2025"), by: .system, pool: pool)
            }
            return model.id
        }

        /// A plan of `issuer`'s visiting `target`, with one visit on 04/08/2025.
        func plan(by issuer: Int64, visiting target: Int64) throws -> (plan: Int64, visit: Int64) {
            let plan = try InspectionPlans().submit(InspectionPlan(
                issuingUnit: issuer, delegations: [.init(id: 1, name: "Đoàn BÍ MẬT", leader: "Lê Văn Bình", members: ["Lê Văn Bình"])],
                targets: [target], firstDay: try CivilDate(parsing: "04/08/2025"), lastDay: try CivilDate(parsing: "29/08/2025")
            ), title: "BÍ MẬT kế hoạch", on: pool).planID
            let visit: Int64 = try pool.query(
                """
                INSERT INTO danvan.inspection_visits (plan_id, delegation_id, unit_id, visit_on, slot)
                SELECT $1, id, $2, '2025-08-04', 'morning' FROM danvan.delegations WHERE plan_id = $1 RETURNING id
                """,
                plan, target
            ).single().decode("id")
            return (plan, visit)
        }

        func report() throws -> Int64 {
            try pool.query(
                "INSERT INTO danvan.reports (unit_id, period_id, snapshot_id, title, html, csv) VALUES ($1, $2, 0, 'BÍ MẬT báo cáo', '<p>BÍ MẬT</p>', 'BÍ MẬT') RETURNING id",
                communeA, period
            ).single().decode("id")
        }

        /// A draft of commune A's six-month report, drawn from fresh statistics;
        /// `signed` names its signer, so that it can be issued.
        func document(signed: Bool = false) throws -> Int64 {
            _ = try model()
            try pool.transaction { connection in _ = try StatisticsBuilder.regenerate(in: connection) }
            let document = try pool.transaction { connection in
                try DocumentRegistry().draft(DocumentRequest(kind: .reviewReport, unitID: communeA, periodID: period), in: connection)
            }
            if signed {
                _ = try pool.transaction { try DocumentRegistry().edit(document.id, parts: ["signer": "Nguyễn Văn An"], by: .system, in: $0) }
            }
            return document.id
        }

        func webhook() throws {
            try Webhooks().register(unit: communeA, url: "https://hooks.example.org/bi-mat?key=abc", secret: "0123456789abcdef", on: pool)
        }
    }

    /// One request and the status each caller gets.
    struct Case: Sendable {
        let method: String
        let path: String
        let body: String?
        let expected: [Who: Int]
        var contentType = "application/json"
    }

    typealias Build = @Sendable (World) throws -> Case

    /// Statuses in `Who.allCases` order.
    static func statuses(_ list: [Int]) -> [Who: Int] {
        precondition(list.count == Who.allCases.count)
        return Dictionary(uniqueKeysWithValues: zip(Who.allCases, list))
    }

    //                                            viewerA editorA adminA sibling parent child operator none revoked
    static func read(_ ok: Int = 200) -> [Who: Int] { statuses([ok, ok, ok, 404, ok, 404, ok, 401, 401]) }
    static func write(_ ok: Int) -> [Who: Int] { statuses([403, ok, ok, 404, ok, 404, ok, 401, 401]) }
    static func administer(_ ok: Int) -> [Who: Int] { statuses([403, 403, ok, 404, ok, 404, ok, 401, 401]) }
    static func anyToken(_ ok: Int = 200) -> [Who: Int] { statuses([ok, ok, ok, ok, ok, ok, ok, 401, 401]) }
    static func operators(_ ok: Int = 200) -> [Who: Int] { statuses([403, 403, 403, 403, 403, 403, ok, 401, 401]) }
    static let open = statuses(Array(repeating: 200, count: Who.allCases.count))
    /// Only commune A itself, which issues the document: its editors write it.
    static func issuersOwn(_ ok: Int, role: Principal.Role) -> [Who: Int] {
        statuses([403, role == .editor ? ok : 403, ok, 404, 403, 404, ok, 401, 401])
    }
    /// Only the district, which set the deadline, runs the campaign or inspected.
    static func districtsOwn(_ ok: Int = 200) -> [Who: Int] { statuses([403, 403, 403, 404, ok, 404, ok, 401, 401]) }

    /// Every operation of the document, with the requests that try it.
    static let table: [String: [Build]] = [
        "getHealth": [{ _ in Case(method: "GET", path: "/healthz", body: nil, expected: open) }],
        "getReadiness": [{ _ in Case(method: "GET", path: "/readyz", body: nil, expected: open) }],
        "listJobs": [{ _ in Case(method: "GET", path: "/v1/jobs", body: nil, expected: anyToken()) }],
        "enqueueJobs": [
            { w in Case(method: "POST", path: "/v1/jobs", body: "{\"kind\": \"webhook.ping\", \"args\": {\"unitID\": \(w.communeA)}}", expected: write(201)) },
            // No kind of the system's own, for anyone, operators included.
            { w in Case(method: "POST", path: "/v1/jobs", body: "{\"kind\": \"notification.deliver\", \"args\": {\"notificationID\": 1, \"webhookID\": 1}}",
                        expected: statuses([403, 400, 400, 400, 400, 400, 400, 401, 401])) },
        ],
        "getJob": [{ w in Case(method: "GET", path: "/v1/jobs/\(try w.job())", body: nil, expected: read()) }],
        "cancelJob": [{ w in Case(method: "POST", path: "/v1/jobs/\(try w.job())/cancel", body: nil, expected: write(200)) }],
        "retryJob": [{ w in
            let id = try w.job()
            _ = try JobControl().cancel([id], reason: "for the matrix", on: w.pool)
            return Case(method: "POST", path: "/v1/jobs/\(id)/retry", body: nil, expected: write(200))
        }],
        "listQueues": [{ _ in Case(method: "GET", path: "/v1/queues", body: nil, expected: anyToken()) }],
        "pauseQueue": [{ w in
            _ = try w.job()
            return Case(method: "POST", path: "/v1/queues/matrix/pause", body: nil, expected: operators())
        }],
        "resumeQueue": [{ w in
            _ = try w.job()
            return Case(method: "POST", path: "/v1/queues/matrix/resume", body: nil, expected: operators())
        }],
        "getUnit": [{ w in Case(method: "GET", path: "/v1/units/\(w.communeA)", body: nil, expected: read()) }],
        "listSubtree": [{ w in Case(method: "GET", path: "/v1/units/\(w.communeA)/subtree", body: nil, expected: read()) }],
        "listInbox": [{ w in Case(method: "GET", path: "/v1/units/\(w.communeA)/inbox", body: nil, expected: read()) }],
        "markNotificationRead": [{ w in Case(method: "POST", path: "/v1/notifications/\(try w.notification())/read", body: nil, expected: write(200)) }],
        "listDeadlines": [{ w in Case(method: "GET", path: "/v1/deadlines?unit=\(w.communeA)", body: nil, expected: read()) }],
        "createDeadline": [{ w in
            Case(method: "POST", path: "/v1/deadlines", body: "{\"unitId\": \(w.communeA), \"kind\": \"other\", \"title\": \"Báo cáo\", \"due\": \"15/06/2025\"}",
                 expected: write(201))
        }],
        "meetDeadline": [{ w in
            // The assignee alone: the district that set it gets 403.
            Case(method: "POST", path: "/v1/deadlines/\(try w.deadline().id)/meet", body: #"{"day": "10/06/2025"}"#,
                 expected: statuses([403, 200, 200, 404, 403, 404, 200, 401, 401]))
        }],
        "withdrawDeadline": [{ w in Case(method: "POST", path: "/v1/deadlines/\(try w.deadline().id)/withdraw", body: nil, expected: districtsOwn()) }],
        "moveDeadline": [{ w in
            Case(method: "POST", path: "/v1/deadlines/\(try w.deadline().id)/move", body: #"{"due": "30/06/2025"}"#, expected: districtsOwn())
        }],
        "listCampaigns": [{ _ in Case(method: "GET", path: "/v1/campaigns", body: nil, expected: anyToken()) }],
        "openCampaign": [{ w in
            Case(method: "POST", path: "/v1/campaigns", body: """
                {"unitId": \(w.communeA), "name": "Dân vận khéo \(UUID().uuidString.prefix(8))", "startsOn": "15/10/2025", "endsOn": "13/10/2026",
                 "windows": [{"unitKind": "hamlet", "opensOn": "15/10/2025", "closesOn": "31/12/2025", "collectiveTarget": 2, "individualTarget": 3}]}
                """, expected: administer(201))
        }],
        "getTargetProgress": [{ w in Case(method: "GET", path: "/v1/campaigns/\(w.campaign)/targets?unit=\(w.communeA)", body: nil, expected: read()) }],
        "definePeriod": [{ w in
            let campaign = try ModelRegistry().createCampaign(
                named: "Dân vận khéo \(UUID().uuidString.prefix(8))", unit: w.communeA, from: try CivilDate(parsing: "15/10/2025"),
                to: try CivilDate(parsing: "13/10/2026"), on: w.pool
            )
            return Case(method: "POST", path: "/v1/periods", body: """
                {"kind": "six_month", "name": "6 tháng đầu năm 2026", "startsOn": "15/10/2025", "endsOn": "30/06/2026", "campaignId": \(campaign)}
                """, expected: administer(201))
        }],
        "importUnits": [{ w in
            // A hamlet under commune A, which the file names by its name.
            Case(method: "POST", path: "/v1/units/import", body: "Tên đơn vị,Loại,Đơn vị cấp trên\nẤp Mới \(UUID().uuidString.prefix(8)),ấp,Mỹ Cẩm\n",
                 expected: administer(200), contentType: "text/csv")
        }],
        "listModels": [{ w in Case(method: "GET", path: "/v1/models?unit=\(w.communeA)", body: nil, expected: read()) }],
        "registerModel": [{ w in
            Case(method: "POST", path: "/v1/models", body: """
                {"campaignId": \(w.campaign), "unitId": \(w.communeA), "field": "economy", "holder": "collective", "holderName": "Tổ",
                 "title": "Mô hình \(UUID().uuidString.prefix(8))", "day": "15/02/2025"}
                """, expected: write(201))
        }],
        "getModel": [{ w in Case(method: "GET", path: "/v1/models/\(try w.model())", body: nil, expected: read()) }],
        "transitionModel": [
            // Carrying it out is the registrant's (and those above it)…
            { w in Case(method: "POST", path: "/v1/models/\(try w.model())/transition", body: #"{"to": "implementing", "day": "01/03/2025"}"#, expected: write(200)) },
            // …judging it the campaign's side's, never the registrant's.
            { w in Case(method: "POST", path: "/v1/models/\(try w.model(.implementing))/transition", body: #"{"to": "evaluated", "day": "01/06/2025"}"#, expected: districtsOwn()) },
        ],
        "listMembers": [{ w in Case(method: "GET", path: "/v1/units/\(w.communeA)/members", body: nil, expected: read()) }],
        "addMember": [{ w in
            Case(method: "POST", path: "/v1/units/\(w.communeA)/members", body: #"{"fullName": "Lê Thị Hoa", "position": "Ủy viên", "from": "01/01/2025"}"#,
                 expected: administer(201))
        }],
        "assignFollower": [{ w in
            // A member of the district's steering committee follows A's model: the
            // campaign's side assigns, never the registrant.
            let member = try w.pool.transaction { connection in
                try Members().add(to: w.district, fullName: "Nguyễn Văn Theo", position: "Thành viên Ban Chỉ đạo", from: try CivilDate(parsing: "01/01/2025"),
                                  by: .system, in: connection)
            }
            return Case(method: "POST", path: "/v1/models/\(try w.model())/follower", body: "{\"memberId\": \(member.id), \"day\": \"01/03/2025\"}",
                        expected: districtsOwn())
        }],
        "listOversights": [{ w in Case(method: "GET", path: "/v1/oversights?unit=\(w.communeA)", body: nil, expected: read()) }],
        "recordOversight": [{ w in
            Case(method: "POST", path: "/v1/oversights", body: """
                {"unitId": \(w.communeA), "kind": "supervision", "day": "10/03/2025", "title": "Giám sát chi bộ ấp", "organisations": [\(w.hamlet)],
                 "partyMembers": ["Trần Văn Đảng"]}
                """, expected: write(201))
        }],
        "getModelRecord": [{ w in Case(method: "GET", path: "/v1/models/\(try w.model())/record", body: nil, expected: read()) }],
        "describeModel": [{ w in
            Case(method: "PUT", path: "/v1/models/\(try w.model())/substance",
                 body: #"{"description": "Vận động hộ dân", "results": [{"label": "Thu nhập", "quantity": 550000000, "unit": "đồng/năm"}]}"#,
                 expected: write(200))
        }],
        "attachEvidence": [{ w in
            Case(method: "POST", path: "/v1/models/\(try w.model())/evidence?name=bien-ban.pdf", body: "%PDF-1.4 biên bản", expected: write(201),
                 contentType: "application/pdf")
        }],
        "downloadEvidence": [{ w in
            let model = try w.model()
            let evidence = try w.pool.transaction { connection in
                try ModelRecords().attach(model, fileName: "anh.png", contentType: "image/png", data: Data("PNG".utf8), by: .system, in: connection)
            }
            return Case(method: "GET", path: "/v1/models/\(model)/evidence/\(evidence.id)", body: nil, expected: read())
        }],
        "evaluateModel": [{ w in
            Case(method: "POST", path: "/v1/models/\(try w.model())/evaluation",
                 body: #"{"day": "01/06/2025", "guidance": "16-HD/BCĐ", "criteria": [{"criterion": "Hiệu quả", "score": 8, "max": 10}]}"#,
                 expected: districtsOwn())
        }],
        "recordDecision": [{ w in
            let model = try w.model(.implementing)
            _ = try ModelRegistry().transition(model, to: .evaluated, on: try CivilDate(parsing: "01/06/2025"), by: .system, pool: w.pool)
            return Case(method: "POST", path: "/v1/models/\(model)/decisions",
                        body: "{\"kind\": \"recognition\", \"number\": \"125-QĐ/HU\", \"signedOn\": \"20/06/2025\", \"issuerUnitId\": \(w.district)}",
                        expected: districtsOwn())
        }],
        "listActivities": [{ w in Case(method: "GET", path: "/v1/activities?unit=\(w.communeA)", body: nil, expected: read()) }],
        "recordActivity": [{ w in
            Case(method: "POST", path: "/v1/activities", body: "{\"unitId\": \(w.communeA), \"kind\": \"conference\", \"title\": \"Hội nghị\", \"day\": \"10/03/2025\"}",
                 expected: write(201))
        }],
        "submitInspectionPlan": [{ w in
            Case(method: "POST", path: "/v1/inspection-plans", body: """
                {"issuingUnitId": \(w.communeA), "title": "Kiểm tra ấp", "firstDay": "04/08/2025", "lastDay": "29/08/2025", "targets": [\(w.hamlet)],
                 "delegations": [{"name": "Đoàn 1", "leader": "Lê Văn Bình", "members": ["Lê Văn Bình"]}]}
                """, expected: write(202))
        }],
        "rescheduleInspectionPlan": [{ w in
            Case(method: "POST", path: "/v1/inspection-plans/\(try w.plan(by: w.communeA, visiting: w.hamlet).plan)/reschedule",
                 body: #"{"lastDay": "30/09/2025"}"#, expected: write(202))
        }],
        "getInspectionPlan": [{ w in Case(method: "GET", path: "/v1/inspection-plans/\(try w.plan(by: w.communeA, visiting: w.hamlet).plan)", body: nil, expected: read()) }],
        "recordFindings": [{ w in
            // The inspecting district records them; the inspected commune sees the visit but gets 403.
            Case(method: "POST", path: "/v1/inspection-visits/\(try w.plan(by: w.district, visiting: w.communeA).visit)/findings",
                 body: #"{"day": "04/08/2025", "findings": "Tốt."}"#, expected: districtsOwn())
        }],
        "getWebhook": [{ w in
            try w.webhook()
            return Case(method: "GET", path: "/v1/units/\(w.communeA)/webhook", body: nil, expected: read())
        }],
        "setWebhook": [{ w in
            Case(method: "PUT", path: "/v1/units/\(w.communeA)/webhook", body: #"{"url": "https://hooks.example.org/x", "secret": "0123456789abcdef"}"#,
                 expected: administer(200))
        }],
        "deleteWebhook": [{ w in
            try w.webhook()
            return Case(method: "DELETE", path: "/v1/units/\(w.communeA)/webhook", body: nil, expected: administer(204))
        }],
        "listPeriods": [{ _ in Case(method: "GET", path: "/v1/periods", body: nil, expected: anyToken()) }],
        "getStatistics": [{ w in Case(method: "GET", path: "/v1/statistics?unit=\(w.communeA)&period=\(w.period)", body: nil, expected: read()) }],
        "listReports": [{ w in Case(method: "GET", path: "/v1/reports?unit=\(w.communeA)", body: nil, expected: read()) }],
        "requestReport": [{ w in Case(method: "POST", path: "/v1/reports", body: "{\"unitId\": \(w.communeA), \"periodId\": \(w.period)}", expected: write(202)) }],
        "getReport": [{ w in Case(method: "GET", path: "/v1/reports/\(try w.report())", body: nil, expected: read()) }],
        "downloadReportHTML": [{ w in Case(method: "GET", path: "/v1/reports/\(try w.report())/html", body: nil, expected: read()) }],
        "downloadReportCSV": [{ w in Case(method: "GET", path: "/v1/reports/\(try w.report())/csv", body: nil, expected: read()) }],
        "listDocuments": [{ w in Case(method: "GET", path: "/v1/documents?unit=\(w.communeA)", body: nil, expected: read()) }],
        "draftDocument": [
            { w in Case(method: "POST", path: "/v1/documents", body: "{\"kind\": \"review_report\", \"unitId\": \(w.communeA), \"periodId\": \(w.period)}", expected: write(202)) },
            // A plan's documents are drafted for the plan's unit: the district's plan is not the commune's.
            { w in Case(method: "POST", path: "/v1/documents", body: "{\"kind\": \"inspection_schedule\", \"planId\": \(try w.plan(by: w.district, visiting: w.communeA).plan)}",
                        expected: statuses([403, 404, 404, 404, 202, 404, 202, 401, 401])) },
        ],
        "getDocument": [{ w in Case(method: "GET", path: "/v1/documents/\(try w.document())", body: nil, expected: read()) }],
        "editDocument": [{ w in
            // The issuing commune's editors; the district above reads it but does not write it.
            Case(method: "PATCH", path: "/v1/documents/\(try w.document())", body: #"{"parts": {"causes": "Chưa kịp thời."}}"#, expected: issuersOwn(200, role: .editor))
        }],
        "issueDocument": [{ w in
            Case(method: "POST", path: "/v1/documents/\(try w.document(signed: true))/issue", body: nil, expected: issuersOwn(200, role: .admin))
        }],
        "downloadDocument": [
            { w in Case(method: "GET", path: "/v1/documents/\(try w.document())/files/docx", body: nil, expected: read()) },
            { w in Case(method: "GET", path: "/v1/documents/\(try w.document())/files/csv", body: nil, expected: read()) },
        ],
    ]

    /// Doors of `kheo serve` that the document does not describe, tried the same way.
    static let undocumented: [String: [Build]] = [
        "metrics": [{ _ in Case(method: "GET", path: "/metrics", body: nil, expected: operators()) }],
    ]

    /// The operation ids of `openapi.yaml`, read by a YAML parser (PyYAML, which
    /// `scripts/test` installs with schemathesis), not by this project's code.
    static func documentedOperations() throws -> [String] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kheo-openapi-\(UUID().uuidString).yaml")
        try APIServer.document().write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            "import json, sys, yaml; d = yaml.safe_load(open(sys.argv[1])); print(json.dumps([o['operationId'] for p in d['paths'].values() for m, o in p.items() if isinstance(o, dict) and 'operationId' in o]))",
            file.path,
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let ids = try JSONSerialization.jsonObject(with: data) as? [String], !ids.isEmpty else {
            throw TestHarnessError("could not read the operations of openapi.yaml with python3 and PyYAML (pip install pyyaml)")
        }
        return ids
    }

    @Test func everyOperationForEveryCaller() async throws {
        let operations = try Self.documentedOperations()
        #expect(Set(operations) == Set(Self.table.keys), "operations without a row: \(Set(operations).subtracting(Self.table.keys).sorted()); rows without an operation: \(Set(Self.table.keys).subtracting(operations).sorted())")
        try await APIHarness.with(serveArguments: ["--workers", "--queue", "unused=1"]) { api in
            let world = try Self.world(api)
            var cells = 0
            let rows = operations.sorted().map { ($0, Self.table[$0] ?? []) } + Self.undocumented.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            for (operation, builds) in rows {
                for build in builds {
                    #expect(Set(try build(world).expected.keys) == Set(Who.allCases), "\(operation): a status for every caller")
                    for who in Who.allCases {
                        let request = try build(world)
                        let reply = try await api.request(
                            request.method, request.path, token: world.token(who), body: request.body.map { Data($0.utf8) },
                            contentType: request.contentType
                        )
                        let expected = request.expected[who]
                        #expect(reply.status == expected, "\(operation) \(request.method) \(request.path) by \(who): \(reply.status), not \(expected ?? 0): \(reply.text.prefix(300))")
                        if reply.status >= 400 {
                            #expect(reply.isProblem, "\(operation) by \(who): a problem document")
                            for secret in World.secrets {
                                #expect(!reply.text.contains(secret), "\(operation) by \(who) refused, yet names \"\(secret)\": \(reply.text.prefix(300))")
                            }
                        }
                        cells += 1
                    }
                }
            }
            #expect(cells >= operations.count * Who.allCases.count)
        }
    }

    static func world(_ api: APIHarness) throws -> World {
        let pool = api.db.pool
        let units = UnitDirectory()
        let province = try units.create(.province, named: "Trà Vinh", under: nil, on: pool)
        let district = try units.create(.district, named: "Càng Long", under: province.id, on: pool).id
        let communeA = try units.create(.commune, named: "Mỹ Cẩm", under: district, on: pool).id
        let communeB = try units.create(.commune, named: "An Trường", under: district, on: pool).id
        let hamlet = try units.create(.hamlet, named: "Ấp Mỹ Hòa", under: communeA, on: pool).id
        let registry = ModelRegistry()
        let campaign = try registry.createCampaign(
            named: "Dân vận khéo 2025", unit: district, from: try CivilDate(parsing: "01/01/2025"), to: try CivilDate(parsing: "31/12/2025"), on: pool
        )
        try registry.setWindow(
            campaign: campaign, unitKind: .commune, opens: try CivilDate(parsing: "01/01/2025"), closes: try CivilDate(parsing: "31/12/2025"),
            collectiveQuota: 1000, individualQuota: 1000, on: pool
        )
        let period = try Periods().create(.year, named: "năm 2025", from: try CivilDate(parsing: "01/01/2025"), to: try CivilDate(parsing: "31/12/2025"), on: pool)
        try pool.transaction { connection in _ = try StatisticsBuilder.regenerate(in: connection) }
        let revoked = try APITokens().create(unit: communeA, role: .admin, on: pool)
        try APITokens().revoke(prefix: revoked.prefix, on: pool)
        let tokens: [String: String] = [
            Who.viewerOfA.rawValue: try api.token(communeA, .viewer), Who.editorOfA.rawValue: try api.token(communeA, .editor),
            Who.adminOfA.rawValue: try api.token(communeA, .admin), Who.siblingAdmin.rawValue: try api.token(communeB, .admin),
            Who.parentAdmin.rawValue: try api.token(district, .admin), Who.childAdmin.rawValue: try api.token(hamlet, .admin),
            Who.operator.rawValue: try api.operatorToken(), Who.revoked.rawValue: revoked.token,
        ]
        return World(
            api: api, district: district, communeA: communeA, communeB: communeB, hamlet: hamlet, campaign: campaign, period: period.id, tokens: tokens
        )
    }
}
