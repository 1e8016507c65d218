import DanVan
import Foundation
import KheoTesting
import PostgresClient
import Testing

/// A model's file: its substance and results, evidence with a checksum, its evaluation
/// against criteria, and the decisions that recognised and commended it; and a
/// campaign with its own field list (Mỹ Thanh 2022: 14 collectives and 104 individuals).
@Suite("Model records")
struct ModelRecordTests {
    static func day(_ text: String) throws -> CivilDate { try CivilDate(parsing: text) }

    struct World {
        let district: Int64, commune: Int64, campaign: Int64
    }

    static func world(_ db: TestDatabase, fields: [CampaignSetup.Field] = []) throws -> World {
        let units = UnitDirectory()
        let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
        let district = try units.create(.district, named: "Càng Long", under: province.id, on: db.pool)
        let commune = try units.create(.commune, named: "Mỹ Thanh", under: district.id, on: db.pool)
        let opened = try CampaignSetup().open(.init(
            unitID: district.id, name: "Dân vận khéo năm 2022", first: try day("15/10/2021"), last: try day("13/10/2022"),
            windows: [.init(unitKind: .commune, opens: try day("15/10/2021"), closes: try day("31/12/2021"), collectiveTarget: 10, individualTarget: 15)],
            fields: fields
        ), by: .unit(district.id, .admin), on: db.pool)
        return World(district: district.id, commune: commune.id, campaign: opened.campaignID)
    }

    @Test func aModelsFileHoldsWhatItIsAndWhatCameOfIt() throws {
        try TestDatabase.with(schema: .domain) { db in
            let w = try Self.world(db)
            let model = try ModelRegistry().register(.init(
                campaignID: w.campaign, unitID: w.commune, field: .economy, holder: .collective, holderName: "Hợp tác xã Mỹ Thanh",
                title: "Chuyển đổi đất lúa kém hiệu quả sang trồng dừa", day: try Self.day("20/10/2021")
            ), by: .system, on: db.pool)
            let records = ModelRecords()
            let registrant = Principal.unit(w.commune, .editor), district = Principal.unit(w.district, .editor)
            try db.pool.transaction { connection in
                try records.describe(
                    model.id, description: "Vận động 35 hộ chuyển đổi đất lúa kém hiệu quả sang trồng dừa xiêm xanh.",
                    results: [
                        .init(label: "Thu nhập tăng thêm", quantity: 550_000_000, unit: "đồng/năm"),
                        .init(label: "Diện tích nhân rộng", quantity: 20, unit: "ha"),
                    ],
                    by: registrant, in: connection
                )
            }
            // Evidence: stored once, with its SHA-256, and refused over 5 MiB.
            let minutes = Data("Biên bản nghiệm thu mô hình".utf8)
            let first = try db.pool.transaction { connection in
                try records.attach(model.id, fileName: "bien-ban.pdf", contentType: "application/pdf", data: minutes, by: registrant, in: connection)
            }
            let again = try db.pool.transaction { connection in
                try records.attach(model.id, fileName: "bien-ban (1).pdf", contentType: "application/pdf", data: minutes, by: registrant, in: connection)
            }
            #expect(first == again, "the same file filed twice is one piece of evidence")
            let checked: String = try db.pool.query("SELECT encode(sha256($1::bytea), 'hex') AS h", minutes).single().decode("h")
            #expect(first.sha256 == checked && first.sizeBytes == minutes.count)
            #expect(throws: ModelRecordError.evidenceTooLarge(bytes: (5 << 20) + 1)) {
                try db.pool.transaction { connection in
                    try records.attach(model.id, fileName: "anh.jpg", contentType: "image/jpeg", data: Data(count: (5 << 20) + 1), by: registrant, in: connection)
                }
            }
            let (stored, bytes) = try #require(try records.download(model.id, evidence: first.id, by: registrant, on: db.pool))
            #expect(stored == first && bytes == minutes)

            // Judging it is the district's: evaluated against the guidance, then
            // recognised and commended by decisions that move it on their days.
            let criteria = [
                ModelRecord.Criterion(criterion: "Hiệu quả kinh tế", score: 38, max: 40),
                ModelRecord.Criterion(criterion: "Khả năng nhân rộng", score: 27.5, max: 30),
                ModelRecord.Criterion(criterion: "Sự tham gia của nhân dân", score: 25, max: 30),
            ]
            #expect(throws: AuthorityError.self) {
                try db.pool.transaction { connection in
                    try records.evaluate(model.id, on: try Self.day("15/08/2022"), guidance: "16-HD/BCĐ", criteria: criteria, by: .unit(w.commune, .admin), in: connection)
                }
            }
            _ = try ModelRegistry().transition(model.id, to: .implementing, on: try Self.day("01/11/2021"), by: registrant, pool: db.pool)
            _ = try ModelRegistry().transition(model.id, to: .evaluated, on: try Self.day("15/08/2022"), by: district, pool: db.pool)
            try db.pool.transaction { connection in
                try records.evaluate(
                    model.id, on: try Self.day("15/08/2022"), guidance: "Hướng dẫn 16-HD/BCĐ ngày 18/01/2016", criteria: criteria, by: district, in: connection
                )
                try records.decide(model.id, kind: .recognition, number: "125-QĐ/BCĐ", signedOn: try Self.day("20/09/2022"), issuer: w.district,
                                   proposer: w.commune, by: district, in: connection)
                try records.decide(model.id, kind: .commendation, number: "37-QĐ/HU", signedOn: try Self.day("13/10/2022"), issuer: w.district,
                                   proposer: w.commune, by: district, in: connection)
            }
            #expect(throws: ModelRecordError.decisionAlreadyRecorded(kind: "công nhận")) {
                try db.pool.transaction { connection in
                    try records.decide(model.id, kind: .recognition, number: "126-QĐ/BCĐ", signedOn: try Self.day("21/09/2022"), issuer: w.district,
                                       proposer: nil, by: district, in: connection)
                }
            }
            let record = try records.record(model.id, by: registrant, on: db.pool)
            #expect(record.results.map(\.quantity) == [550_000_000, 20] && record.results.map(\.unit) == ["đồng/năm", "ha"])
            #expect(record.evaluations.first?.score == 90.5 && record.evaluations.first?.maxScore == 100)
            #expect(record.decisions.map(\.number) == ["125-QĐ/BCĐ", "37-QĐ/HU"], "\(record.decisions)")
            #expect(try ModelRegistry().find(model.id, on: db.pool)?.state == .commended)
            let days: [String] = try db.pool.query(
                "SELECT to_char(happened_on, 'DD/MM/YYYY') AS d FROM danvan.model_transitions WHERE model_id = $1 AND to_state IN ('recognised', 'commended') ORDER BY happened_on",
                model.id
            ).map { try $0.decode("d") }
            #expect(days == ["20/09/2022", "13/10/2022"], "each state reached on its decision's day")
        }
    }

    /// Mỹ Thanh 2022 registered in its own fields: 14 collectives and 104 individuals.
    @Test func aCampaignSetsItsOwnFieldList() throws {
        try TestDatabase.with(schema: .domain) { db in
            let fields = [
                CampaignSetup.Field(code: "nong_thon_moi", name: "Xây dựng nông thôn mới, đô thị văn minh", group: .economy),
                CampaignSetup.Field(code: "cai_cach_hanh_chinh", name: "Cải cách hành chính, xây dựng công sở", group: .politicalSystem),
                CampaignSetup.Field(code: "xay_dung_dang", name: "Xây dựng Đảng, chính quyền, MTTQ và đoàn thể", group: .politicalSystem),
            ]
            let w = try Self.world(db, fields: fields)
            func register(_ index: Int, _ field: CampaignSetup.Field?, group: Model.Field? = nil) throws -> Model {
                try ModelRegistry().register(.init(
                    campaignID: w.campaign, unitID: w.commune, field: group ?? field?.group ?? .economy, holder: index < 14 ? .collective : .individual,
                    holderName: "Người đăng ký \(index)", title: "Mô hình \(index)", day: try Self.day("20/11/2021"), campaignField: field?.code
                ), by: .system, on: db.pool)
            }
            #expect(throws: ModelError.unknownCampaignField("", known: fields.map(\.code))) { try register(0, nil) }
            #expect(throws: ModelError.campaignFieldGroup("cai_cach_hanh_chinh", group: "political_system")) {
                try register(0, fields[1], group: .economy)
            }
            for index in 0..<118 { _ = try register(index, fields[index % 3]) }
            let period = try Periods().create(.year, named: "Năm 2022", from: try Self.day("15/10/2021"), to: try Self.day("13/10/2022"), campaign: w.campaign, on: db.pool)
            try db.pool.transaction { connection in _ = try StatisticsBuilder.regenerate(in: connection) }
            let total = try #require(try StatisticsFigures.read(unit: w.commune, period: period.id, on: db.pool).first { $0.field == nil })
            #expect(total.collective == 14 && total.individual == 104)
            let byEntry: [String: Int64] = Dictionary(uniqueKeysWithValues: try db.pool.query(
                "SELECT campaign_field, count(*) AS n FROM danvan.models WHERE campaign_id = $1 GROUP BY campaign_field", w.campaign
            ).map { (try $0.decode("campaign_field", as: String.self), try $0.decode("n", as: Int64.self)) })
            #expect(byEntry == ["nong_thon_moi": 40, "cai_cach_hanh_chinh": 39, "xay_dung_dang": 39])
        }
    }
}
