import DanVan
import Foundation
import Kheo
import KheoAPI
import KheoTesting
import PostgresClient
import Testing

@Suite("HTTP API: jobs")
struct JobsAPITests {
    @Test func healthReadinessAndTheDocumentNeedNoToken() async throws {
        try await APIHarness.with { api in
            #expect(try await api.request("GET", "/healthz").status == 200)
            let ready = try await api.request("GET", "/readyz")
            #expect(ready.status == 200 && ready.text == "ready\n")
            let document = try await api.request("GET", "/openapi.yaml")
            #expect(document.status == 200 && document.text.hasPrefix("openapi: 3.1.0"))
        }
    }

    @Test func theDocumentListsExactlyThePublicKinds() {
        var registry = JobRegistry()
        BuiltinJobs.register(in: &registry)
        BuiltinJobs.registerTestKinds(in: &registry)
        DanVanJobs.register(in: &registry)
        #expect(APIServer.documentedKinds == registry.publicKinds.keys.sorted(), "update JobKind in openapi.yaml")
        #expect(APIServer.documentedKinds == ["kheo.noop", "webhook.ping"], "a kind made public is a decision: add it here too")
    }

    @Test func tokensAreCheckedAndRolesApplied() async throws {
        // Tokens stay cached for 10 minutes here, so within the one-minute windows below
        // only the notification can make the server forget one.
        try await APIHarness.with(serveArguments: ["--token-cache-seconds", "600"]) { api in
            let units = try api.units()
            let job = #"{"kind": "kheo.noop"}"#
            let none = try await api.post("/v1/jobs", token: nil, json: job)
            #expect(none.status == 401 && none.isProblem, "\(none.text)")
            let unknown = try await api.post("/v1/jobs", token: "kheo_not-a-real-token-at-all-0000000000000000", json: job)
            #expect(unknown.status == 401 && unknown.isProblem)
            let viewer = try await api.post("/v1/jobs", token: try api.token(units.communeA, .viewer), json: job)
            #expect(viewer.status == 403 && viewer.isProblem && (viewer.json["detail"] as? String)?.contains("editor") == true)
            let created = try APITokens().create(unit: units.communeA, role: .editor, on: api.db.pool)
            #expect(try await api.post("/v1/jobs", token: created.token, json: job).status == 201)
            #expect(try await api.post("/v1/jobs", token: created.token, json: job).status == 201, "now from the server's token cache")
            // The server forgets cached tokens when the revocation's notification
            // arrives, milliseconds after its commit on an idle machine; the whole suite
            // runs beside this test (a CI run once needed more than 5 s).
            try APITokens().revoke(prefix: created.prefix, on: api.db.pool)
            #expect(try await api.refusedWithin(.seconds(60), token: created.token), "a revoked token is refused")
            #expect(try await api.post("/v1/jobs", token: created.token, json: job).status == 401, "and stays refused")
            #expect(try api.jobCount() == 2)

            // A change made by hand in SQL is heard the same way (a trigger notifies).
            let demoted = try APITokens().create(unit: units.communeA, role: .editor, on: api.db.pool)
            #expect(try await api.post("/v1/jobs", token: demoted.token, json: job).status == 201)
            try api.db.pool.query("UPDATE danvan.api_tokens SET role = 'viewer' WHERE id = $1", demoted.id)
            let start = ContinuousClock.now
            var status = 0
            while ContinuousClock.now - start < .seconds(60) {
                status = try await api.post("/v1/jobs", token: demoted.token, json: job).status
                if status == 403 { break }
                // Polls: the server learns of the demotion by NOTIFY, which no client can observe.
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(status == 403, "the role changed by hand applies before the cached entry expires")
        }
    }

    @Test func enqueuesOneOrABatchAndReadsThemBackWithinTheUnit() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let communeA = try api.token(units.communeA, .editor)
            let communeB = try api.token(units.communeB, .editor)
            let district = try api.token(units.district, .viewer)
            let one = try await api.post("/v1/jobs", token: communeA, json: "{\"kind\": \"webhook.ping\", \"args\": {\"unitID\": \(units.communeA)}, \"queue\": \"danvan\", \"priority\": 3}")
            #expect(one.status == 201, "\(one.text)")
            let id = try #require((one.json["ids"] as? [Any])?.first as? Int)
            let batch = try await api.post("/v1/jobs", token: communeB, json: "{\"jobs\": [{\"kind\": \"kheo.noop\"}, {\"kind\": \"webhook.ping\", \"args\": {\"unitID\": \(units.communeB)}}]}")
            #expect(batch.status == 201 && (batch.json["ids"] as? [Any])?.count == 2, "\(batch.text)")
            let otherID = try #require((batch.json["ids"] as? [Any])?.first as? Int)

            let mine = try await api.request("GET", "/v1/jobs/\(id)", token: communeA)
            #expect(mine.status == 200 && mine.json["kind"] as? String == "webhook.ping" && mine.json["queue"] as? String == "danvan")
            #expect((mine.json["args"] as? [String: Any])?["unitID"] as? Int == Int(units.communeA) && mine.json["priority"] as? Int == 3 && mine.json["state"] as? String == "available")
            let listed = try await api.request("GET", "/v1/jobs", token: communeA)
            let items = listed.json["jobs"] as? [[String: Any]] ?? []
            #expect(items.map { $0["id"] as? Int } == [id] && items.allSatisfy { $0["args"] == nil }, "lists leave the args out: \(listed.text)")
            let theirs = try await api.request("GET", "/v1/jobs/\(otherID)", token: communeA)
            #expect(theirs.status == 404 && theirs.isProblem, "commune A sees nothing of commune B: \(theirs.text)")
            #expect(!theirs.text.contains("kheo.noop"))
            #expect(try await api.request("GET", "/v1/jobs/\(id)", token: district).status == 200, "the district sees its communes' jobs")
            #expect(try await api.request("GET", "/v1/jobs/\(otherID)", token: district).status == 200)
            #expect(try await api.request("GET", "/v1/jobs/99999999", token: district).status == 404)
            // Keyed by unit, so a queue fair by key (the domain's) takes each unit's in turn:
            // by the unit the job names, else by the token's.
            let keys = try api.db.pool.query("SELECT id, partition_key FROM kheo.jobs ORDER BY id").map {
                (try $0.decode("id", as: Int64.self), try $0.decode("partition_key", as: String?.self))
            }
            #expect(keys.map(\.1) == ["unit:\(units.communeA)", "unit:\(units.communeB)", "unit:\(units.communeB)"], "\(keys)")
        }
    }

    /// Each bad request: its 4xx, a problem document, and nothing stored.
    @Test func badInputIsRefusedWithAProblemAndStoresNothing() async throws {
        try await APIHarness.with(maxBodyBytes: 16 * 1024) { api in
            let token = try api.token(try api.units().communeA, .editor)
            let cases: [(String, Data, Int)] = [
                ("malformed JSON", Data(#"{"kind": "kheo.noop""#.utf8), 400),
                ("a number for kind", Data(#"{"kind": 42}"#.utf8), 400),
                ("an unknown field", Data(#"{"kind": "kheo.noop", "colour": "red"}"#.utf8), 400),
                ("an unknown kind", Data(#"{"kind": "danvan.nothing"}"#.utf8), 400),
                ("SQL in the kind", Data(#"{"kind": "x'); DROP TABLE kheo.jobs; --"}"#.utf8), 400),
                ("SQL in the queue", Data(#"{"kind": "kheo.noop", "queue": "q'; DELETE FROM kheo.jobs; --"}"#.utf8), 400),
                ("priority out of range", Data(#"{"kind": "kheo.noop", "priority": 10}"#.utf8), 400),
                ("an empty batch", Data(#"{"jobs": []}"#.utf8), 400),
                ("a batch with one bad job", Data(#"{"jobs": [{"kind": "kheo.noop"}, {"kind": "kheo.noop", "maxAttempts": 0}]}"#.utf8), 400),
                ("invalid UTF-8", Data([0x7B, 0x22, 0x6B, 0x69, 0x6E, 0x64, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D]), 400),
                ("an array", Data("[]".utf8), 400),
                ("a runAt in year 1 (schemathesis found it answering 500)", Data(#"{"jobs": [{"kind": "kheo.noop", "runAt": "0001-01-01T02:00:03Z"}]}"#.utf8), 400),
                ("a runAt past 9999", Data(#"{"kind": "kheo.noop", "runAt": "10000-01-01T00:00:00Z"}"#.utf8), 400),
                ("an oversized body", Data(("{\"kind\": \"kheo.noop\", \"args\": {\"x\": \"" + String(repeating: "a", count: 20_000) + "\"}}").utf8), 413),
            ]
            for (name, body, status) in cases {
                let reply = try await api.request("POST", "/v1/jobs", token: token, body: body)
                #expect(reply.status == status && reply.isProblem, "\(name): \(reply.status) \(reply.text)")
            }
            let notAnID = try await api.request("GET", "/v1/jobs/abc", token: token)
            #expect(notAnID.status == 400 && notAnID.isProblem, "\(notAnID.text)")
            let noRoute = try await api.request("GET", "/v1/nothing", token: token)
            #expect(noRoute.status == 404 && noRoute.isProblem)
            #expect(try api.jobCount() == 0, "nothing stored")
            #expect(try api.db.pool.query("SELECT to_regclass('kheo.jobs') IS NOT NULL AS here").single().decode("here", as: Bool.self))
        }
    }

    @Test func theSameIdempotencyKeyTenTimesAtOnceCreatesOneJob() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let token = try api.token(units.communeA, .editor)
            let body = Data(#"{"kind": "kheo.noop", "args": {"ms": 1}}"#.utf8)
            let replies = try await withThrowingTaskGroup(of: APIHarness.Reply.self) { group in
                for _ in 0..<10 {
                    group.addTask { try await api.request("POST", "/v1/jobs", token: token, body: body, headers: ["Idempotency-Key": "bao-cao-42"]) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.status == 201 }, "\(replies.map(\.text))")
            let ids = Set(replies.map { ($0.json["ids"] as? [Any])?.first as? Int })
            #expect(ids.count == 1 && ids.first != nil, "every reply names the same job: \(ids)")
            #expect(try api.jobCount() == 1)

            let other = try await api.post("/v1/jobs", token: token, json: #"{"kind": "kheo.noop"}"#)
            #expect(other.status == 201, "no key: a new job")
            let reused = try await api.request("POST", "/v1/jobs", token: token, body: Data(#"{"kind": "kheo.noop"}"#.utf8), headers: ["Idempotency-Key": "bao-cao-42"])
            #expect(reused.status == 409 && reused.isProblem, "the key with another body: \(reused.text)")
            let otherToken = try api.token(units.communeB, .editor)
            let elsewhere = try await api.request("POST", "/v1/jobs", token: otherToken, body: body, headers: ["Idempotency-Key": "bao-cao-42"])
            #expect(elsewhere.status == 201, "keys are per token")
            #expect(try api.jobCount() == 3)
        }
    }

    /// Requests arriving together share one INSERT (`EnqueueCoalescer`): each must
    /// still get its own ids in its own order, and a request PostgreSQL refuses must
    /// fail alone.
    @Test func concurrentEnqueuesGetTheirOwnIdsAndABadOneFailsAlone() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let token = try api.token(units.communeA, .editor)
            let replies = try await withThrowingTaskGroup(of: (Int, APIHarness.Reply).self) { group in
                for request in 0..<40 {
                    group.addTask {
                        let body = request == 17
                            ? #"{"jobs": [{"kind": "kheo.noop", "args": {"n": "bad\u0000"}}]}"#
                            : "{\"jobs\": [" + (0..<3).map { "{\"kind\": \"kheo.noop\", \"args\": {\"request\": \(request), \"n\": \($0)}}" }.joined(separator: ", ") + "]}"
                        return (request, try await api.post("/v1/jobs", token: token, json: body))
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            #expect(replies[17]?.status == 400 && replies[17]?.isProblem == true, "\(replies[17]?.text ?? "")")
            for (request, reply) in replies where request != 17 {
                let ids = (reply.json["ids"] as? [Any])?.compactMap { $0 as? Int } ?? []
                #expect(reply.status == 201 && ids.count == 3, "\(request): \(reply.text)")
                let stored = try api.db.pool.query(
                    "SELECT (args->>'request')::int AS request, (args->>'n')::int AS n FROM kheo.all_jobs WHERE id = ANY($1::bigint[]) ORDER BY id",
                    ids.map(Int64.init)
                ).map { [try $0.decode("request", as: Int32.self), try $0.decode("n", as: Int32.self)] }
                #expect(stored == (0..<3).map { [Int32(request), Int32($0)] }, "request \(request)'s ids name its own jobs, in order")
            }
            #expect(try api.jobCount() == 39 * 3, "nothing of the bad request is stored, everything else is")
        }
    }

    /// A plain `POST /v1/jobs` is read by `FastJSONDecoder` (`FastEnqueueMiddleware`),
    /// one with an `Idempotency-Key` by `JSONDecoder`: both must store the same jobs,
    /// and what the fast reader leaves alone must still be answered as the document says.
    @Test func theFastReaderStoresWhatJSONDecoderDoes() async throws {
        try await APIHarness.with { api in
            let units = try api.units()
            let token = try api.token(units.communeA, .editor)
            let body = """
                {"jobs": [{"kind": "webhook.ping", "args": {"unitID": \(units.communeA), "note": "Tổng kết", "nested": {"a": [1, 2.5, null, true]}},
                           "queue": "danvan", "priority": 3, "maxAttempts": 7},
                          {"kind": "kheo.noop", "args": null, "queue": null, "priority": null, "maxAttempts": null}]}
                """
            let fast = try await api.post("/v1/jobs", token: token, json: body)
            let generated = try await api.request("POST", "/v1/jobs", token: token, body: Data(body.utf8), headers: ["Idempotency-Key": "same-body"])
            let fastIDs = (fast.json["ids"] as? [Any])?.compactMap { $0 as? Int } ?? []
            let generatedIDs = (generated.json["ids"] as? [Any])?.compactMap { $0 as? Int } ?? []
            #expect(fast.status == 201 && generated.status == 201 && fastIDs.count == 2 && generatedIDs.count == 2, "\(fast.text) \(generated.text)")
            func stored(_ ids: [Int]) throws -> [String] {
                try api.db.pool.query(
                    "SELECT concat_ws('|', kind, args::text, queue, priority, max_attempts, tags::text) AS row FROM kheo.all_jobs WHERE id = ANY($1::bigint[]) ORDER BY id",
                    ids.map(Int64.init)
                ).map { try $0.decode("row", as: String.self) }
            }
            let fastRows = try stored(fastIDs), generatedRows = try stored(generatedIDs)
            #expect(fastRows == generatedRows && fastRows.count == 2, "\(fastRows) \(generatedRows)")

            let later = try await api.post("/v1/jobs", token: token, json: #"{"kind": "kheo.noop", "runAt": "2030-01-01T00:00:00Z"}"#)
            #expect(later.status == 201, "runAt is read by the date transcoder on either path: \(later.text)")
            let typo = try await api.post("/v1/jobs", token: token, json: #"{"jobs": [{"kind": "kheo.noop", "priorty": 1}]}"#)
            #expect(typo.status == 400 && typo.isProblem && typo.text.contains("priorty"), "an unknown field is named: \(typo.text)")
            let wrong = try await api.post("/v1/jobs", token: token, json: #"{"jobs": [{"kind": "kheo.noop", "priority": "high"}]}"#)
            #expect(wrong.status == 400 && wrong.isProblem, "\(wrong.text)")
            let unknownKind = try await api.post("/v1/jobs", token: token, json: #"{"kind": "kheo.nothing"}"#)
            #expect(unknownKind.status == 400 && unknownKind.isProblem, "\(unknownKind.text)")
            #expect(try api.jobCount() == 5)
        }
    }
}
