import DanVan
import Foundation
import Kheo
import KheoTesting
import PostgresClient
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
        try TestDatabase.with(schema: .domain) { db in
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
        try TestDatabase.with(schema: .domain) { db in
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
            // The target is 2: a third is welcome.
            _ = try registry.register(try registration(setting, "Một mô hình thứ ba"), by: .system, on: db.pool)
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
            #expect(try db.pool.query("SELECT count(*) FROM danvan.models").single().decode(0, as: Int64.self) == 3)
            #expect(try db.pool.query("SELECT count(*) FROM danvan.model_transitions").single().decode(0, as: Int64.self) == 3)
        }
    }

    /// Càng Long's targets: 10 collective models per commune. Mỹ Cẩm registers 12
    /// (9 itself, 3 by its hamlet and its women's union), all accepted: +2. An Trường
    /// registers 7: 3 short. The district's own count is its communes'.
    @Test func targetsAreFloorsThatCountTheUnitsUnderAUnit() throws {
        try TestDatabase.with(schema: .domain) { db in
            let units = UnitDirectory()
            let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
            let district = try units.create(.district, named: "Càng Long", under: province.id, on: db.pool)
            let myCam = try units.create(.commune, named: "Mỹ Cẩm", under: district.id, on: db.pool)
            let anTruong = try units.create(.commune, named: "An Trường", under: district.id, on: db.pool)
            let hamlet = try units.create(.hamlet, named: "Ấp Mỹ Hòa", under: myCam.id, on: db.pool)
            let women = try units.create(.massOrganisation, named: "Hội Liên hiệp Phụ nữ xã Mỹ Cẩm", under: myCam.id, on: db.pool)
            let registry = ModelRegistry()
            let campaign = try registry.createCampaign(
                named: "Dân vận khéo 2017–2018", unit: district.id, from: try CivilDate(parsing: "15/10/2017"), to: try CivilDate(parsing: "12/10/2018"), on: db.pool
            )
            for (kind, collective, individual) in [(OrgUnit.Kind.commune, 10, 15), (.hamlet, 1, 1), (.massOrganisation, 1, 1)] {
                try registry.setWindow(
                    campaign: campaign, unitKind: kind, opens: try CivilDate(parsing: "15/10/2017"), closes: try CivilDate(parsing: "31/12/2017"),
                    collectiveQuota: collective, individualQuota: individual, on: db.pool
                )
            }
            for (unit, count) in [(myCam.id, 9), (hamlet.id, 2), (women.id, 1), (anTruong.id, 7)] {
                for index in 1...count {
                    _ = try registry.register(ModelRegistration(
                        campaignID: campaign, unitID: unit, field: .economy, holder: .collective, holderName: "Tập thể \(index)",
                        title: "Mô hình \(index)", day: try CivilDate(parsing: "20/10/2017")
                    ), by: .system, on: db.pool)
                }
            }
            let progress = try RegistrationTargets.progress(campaign: campaign, within: district.id, on: db.pool)
            func collective(_ unit: Int64) -> RegistrationProgress? { progress.first { $0.unitID == unit && $0.holder == .collective } }
            #expect(collective(myCam.id)?.registered == 12 && collective(myCam.id)?.difference == 2 && collective(myCam.id)?.shortfall == 0)
            #expect(collective(anTruong.id)?.registered == 7 && collective(anTruong.id)?.difference == -3 && collective(anTruong.id)?.shortfall == 3)
            #expect(collective(hamlet.id)?.registered == 2 && collective(hamlet.id)?.difference == 1, "the hamlet has its own target too")
            #expect(progress.first { $0.unitID == myCam.id && $0.holder == .individual }?.shortfall == 15)
            #expect(collective(district.id) == nil, "the district has no target in this campaign")
            #expect(progress.map(\.unitID).first == myCam.id, "parents before children: \(progress.map(\.unitName))")
            let commune = try RegistrationTargets.progress(campaign: campaign, within: anTruong.id, on: db.pool)
            #expect(Set(commune.map(\.unitID)) == [anTruong.id], "a commune's view holds only its own subtree")
        }
    }
}
