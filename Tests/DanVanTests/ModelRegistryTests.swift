import DanVan
import Dispatch
import Foundation
import Kheo
import KheoTesting
import PostgresClient
import Synchronization
import Testing

@Suite("Model registration")
struct ModelRegistryTests {
    struct Setting {
        let province: OrgUnit
        let district: OrgUnit
        let commune: OrgUnit
        let otherProvince: OrgUnit
        let campaign: Int64
    }

    /// Càng Long's 2017 campaign: communes register 15/10 to 31/12, 10 collective and
    /// 15 individual models each (here 2 and 1, to reach the quotas quickly).
    func setting(_ db: TestDatabase) throws -> Setting {
        let units = UnitDirectory()
        let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
        let district = try units.create(.district, named: "Càng Long", under: province.id, on: db.pool)
        let commune = try units.create(.commune, named: "Mỹ Cẩm", under: district.id, on: db.pool)
        let otherProvince = try units.create(.province, named: "Vĩnh Long", under: nil, on: db.pool)
        let registry = ModelRegistry()
        let campaign = try registry.createCampaign(
            named: "Dân vận khéo 2017–2018", unit: district.id, from: try CivilDate(parsing: "01/10/2017"),
            to: try CivilDate(parsing: "31/12/2018"), on: db.pool
        )
        try registry.setWindow(
            campaign: campaign, unitKind: .commune, opens: try CivilDate(parsing: "15/10/2017"), closes: try CivilDate(parsing: "31/12/2017"),
            collectiveQuota: 2, individualQuota: 1, on: db.pool
        )
        return Setting(province: province, district: district, commune: commune, otherProvince: otherProvince, campaign: campaign)
    }

    func registration(_ setting: Setting, _ title: String, holder: Model.Holder = .collective, day: String = "20/10/2017") throws -> ModelRegistration {
        ModelRegistration(
            campaignID: setting.campaign, unitID: setting.commune.id, field: .economy, holder: holder,
            holderName: holder == .collective ? "Hội Nông dân xã Mỹ Cẩm" : "Nguyễn Văn Út", title: title, day: try CivilDate(parsing: day)
        )
    }

    @Test func registersWithinTheWindowAndRecordsTheLifecycle() throws {
        try TestDatabase.with { db in
            let setting = try setting(db)
            let registry = ModelRegistry()
            let model = try registry.register(try registration(setting, "Nuôi ong lấy mật"), by: .system, on: db.pool)
            #expect(model.state == .registered && model.registeredOn.description == "20/10/2017" && model.field == .economy)
            _ = try registry.transition(model.id, to: .implementing, on: try CivilDate(parsing: "01/11/2017"), by: .system, pool: db.pool)
            _ = try registry.transition(model.id, to: .evaluated, on: try CivilDate(parsing: "01/06/2018"), by: .system, pool: db.pool)
            let recognised = try registry.transition(model.id, to: .recognised, on: try CivilDate(parsing: "15/06/2018"), note: "Đạt tiêu chí theo hướng dẫn 16-HD/BCĐ", by: .system, pool: db.pool)
            #expect(recognised.state == .recognised)
            #expect(throws: ModelError.transitionNotAllowed(from: .recognised, to: .registered)) {
                try registry.transition(model.id, to: .registered, on: try CivilDate(parsing: "16/06/2018"), by: .system, pool: db.pool)
            }
            let history = try db.pool.query(
                "SELECT coalesce(from_state::text, '-') || '>' || to_state::text AS step FROM danvan.model_transitions WHERE model_id = $1 ORDER BY id", model.id
            ).map { try $0.decode("step", as: String.self) }
            #expect(history == ["->registered", "registered>implementing", "implementing>evaluated", "evaluated>recognised"])
            let inbox = try db.pool.query(
                "SELECT kind FROM danvan.notifications WHERE unit_id = $1 ORDER BY id", setting.commune.id
            ).map { try $0.decode("kind", as: String.self) }
            #expect(inbox == ["model.registered", "model.recognised"], "the unit hears of its registration and of the outcome, not of each step")
        }
    }

    @Test func refusalsNameTheFaultAndStoreNothing() throws {
        try TestDatabase.with { db in
            let setting = try setting(db)
            let registry = ModelRegistry()
            #expect(throws: ModelError.outsideWindow(on: try CivilDate(parsing: "02/01/2018"), opens: try CivilDate(parsing: "15/10/2017"), closes: try CivilDate(parsing: "31/12/2017"))) {
                try registry.register(try registration(setting, "Muộn", day: "02/01/2018"), by: .system, on: db.pool)
            }
            _ = try registry.register(try registration(setting, "Quỹ khuyến học"), by: .system, on: db.pool)
            #expect(throws: ModelError.duplicateRegistration(title: "Quỹ khuyến học", unit: "Mỹ Cẩm")) {
                try registry.register(try registration(setting, "Quy\u{0303} khuyê\u{0301}n ho\u{0323}c"), by: .system, on: db.pool)
            }
            _ = try registry.register(try registration(setting, "Tổ an ninh tự quản"), by: .system, on: db.pool)
            #expect(throws: ModelError.overQuota(unit: "Mỹ Cẩm", holder: .collective, quota: 2)) {
                try registry.register(try registration(setting, "Một mô hình thứ ba"), by: .system, on: db.pool)
            }
            var stranger = try registration(setting, "Ngoài địa bàn")
            stranger.unitID = setting.otherProvince.id
            #expect(throws: ModelError.campaignNotFound(setting.campaign)) {
                try registry.register(stranger, by: .system, on: db.pool)
            }
            var ghost = try registration(setting, "Ma")
            ghost.unitID = 987_654
            #expect(throws: ModelError.unitNotFound(987_654)) { try registry.register(ghost, by: .system, on: db.pool) }
            var noWindow = try registration(setting, "Cấp huyện")
            noWindow.unitID = setting.district.id
            #expect(throws: ModelError.noWindow(unitKind: .district, campaign: "Dân vận khéo 2017–2018")) { try registry.register(noWindow, by: .system, on: db.pool) }
            #expect(throws: ModelError.invalidText(.controlCharacter(field: "model title", code: 0))) {
                try registry.register(try registration(setting, "Mô hình\u{0}"), by: .system, on: db.pool)
            }
            #expect(throws: ModelError.unknownField("tourism")) { try Model.Field(parsing: "tourism") }
            #expect(try db.pool.query("SELECT count(*) FROM danvan.models").single().decode(0, as: Int64.self) == 2)
            #expect(try db.pool.query("SELECT count(*) FROM danvan.model_transitions").single().decode(0, as: Int64.self) == 2)
        }
    }

    /// Two registrations race for a unit's one individual place: the second waits for
    /// the first's transaction, then finds the place taken.
    @Test func theLastPlaceGoesToOneRegistrationOnly() throws {
        try TestDatabase.with(pool: .init(maximumConnections: 4)) { db in
            let setting = try setting(db)
            let first = try db.connect()
            try first.execute(script: "BEGIN")
            _ = try ModelRegistry().register(try registration(setting, "Gương điển hình 1", holder: .individual), by: .system, in: first)
            let second = try registration(setting, "Gương điển hình 2", holder: .individual)
            let outcome = Mutex<Result<Model, any Error>?>(nil)
            let done = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                let result = Result { try ModelRegistry().register(second, by: .system, on: db.pool) }
                outcome.withLock { $0 = result }
                done.signal()
            }
            #expect(done.wait(timeout: .now() + 0.5) == .timedOut, "the second registration must wait for the first")
            try first.execute(script: "COMMIT")
            #expect(done.wait(timeout: .now() + 10) == .success)
            let result = outcome.withLock { $0 }
            guard case .failure(let error as ModelError)? = result else {
                Issue.record("the second registration should be over quota, got \(String(describing: result))")
                return
            }
            #expect(error == .overQuota(unit: "Mỹ Cẩm", holder: .individual, quota: 1))
            #expect(try db.pool.query("SELECT count(*) FROM danvan.models").single().decode(0, as: Int64.self) == 1)
        }
    }
}
