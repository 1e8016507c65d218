import DanVan
import PostgresClient

/// The demo's province, generated from the seed and stored through `UnitDirectory`:
/// districts (one of them a city of wards), communes with their hamlets, and at each
/// level the party committee, Fatherland Front, mass organisations and police.
struct DemoProvince {
    struct Commune {
        let unit: OrgUnit
        let hamlets: [OrgUnit]
        let organisations: [OrgUnit]
        /// Its bare name ("Mỹ Cẩm") and its level's word ("xã", "phường", "thị trấn").
        let place: String
        let level: String
    }

    struct District {
        let unit: OrgUnit
        let communes: [Commune]
        let organisations: [OrgUnit]
        /// Its bare name ("Hòa Lợi"), for the names of its bodies.
        let place: String
    }

    let unit: OrgUnit
    /// Where it lies: its hamlets are "ấp" and "khóm" in the south, "thôn" and "tổ dân
    /// phố" in the north and centre.
    let region: VietnameseStyle.Region
    /// The districts, until the reorganisation of 01/07/2025 dissolves them.
    var districts: [District]
    /// Communes and wards directly under the province, from 01/07/2025.
    var communes: [Commune] = []
    let organisations: [OrgUnit]

    /// Every commune and ward standing, under a district or directly under the province.
    var allCommunes: [Commune] { districts.flatMap(\.communes) + communes }

    var unitCount: Int {
        let communeUnits = { (communes: [Commune]) in communes.reduce(0) { $0 + 1 + $1.hamlets.count + $1.organisations.count } }
        return 1 + organisations.count + communeUnits(communes) + districts.reduce(0) { total, district in
            total + 1 + district.organisations.count + communeUnits(district.communes)
        }
    }

    /// "Tỉnh ủy Trà Vinh", "Huyện ủy Càng Long", "Thành ủy …", "Đảng ủy xã Mỹ Cẩm".
    static func partyCommittee(_ level: String, _ place: String) -> String {
        switch level {
        case "tỉnh": "Tỉnh ủy \(place)"
        case "huyện": "Huyện ủy \(place)"
        case "thành phố": "Thành ủy \(place)"
        default: "Đảng ủy \(level) \(place)"
        }
    }

    /// The bodies at each level of a place, in a fixed order: the party committee, the
    /// Fatherland Front, four mass organisations and the police.
    static func bodies(_ level: String, of place: String) -> [(kind: OrgUnit.Kind, name: String)] {
        [
            (.partyCommittee, partyCommittee(level, place)),
            (.fatherlandFront, "Ủy ban MTTQ Việt Nam \(level) \(place)"),
            (.massOrganisation, "Hội Liên hiệp Phụ nữ \(level) \(place)"),
            (.massOrganisation, "Hội Nông dân \(level) \(place)"),
            (.massOrganisation, "Đoàn Thanh niên \(level) \(place)"),
            (.massOrganisation, "Hội Cựu chiến binh \(level) \(place)"),
            (.police, "Công an \(level) \(place)"),
        ]
    }

    /// Creates the province in the caller's transaction.
    static func create(districts count: Int, random: inout SeededGenerator, in connection: PostgresConnection) throws -> DemoProvince {
        let units = UnitDirectory()
        let provinceName = random.pick(VietnameseNames.provinces)
        let region = VietnameseNames.region(of: provinceName)
        let province = try units.create(.province, named: "Tỉnh \(provinceName)", under: nil, on: connection)
        func bodies(_ level: String, of place: String, under parent: Int64) throws -> [OrgUnit] {
            try Self.bodies(level, of: place).map { try units.create($0.kind, named: $0.name, under: parent, on: connection) }
        }
        let provinceBodies = try bodies("tỉnh", of: provinceName, under: province.id)
            + [try units.create(.agency, named: "Sở Nông nghiệp và Phát triển nông thôn tỉnh \(provinceName)", under: province.id, on: connection)]
        var used: Set<String> = [provinceName]
        var districts: [District] = []
        for index in 0..<max(1, count) {
            let place = VietnameseNames.place(&random, avoiding: &used)
            // The first district is the provincial city, of wards; the others are rural.
            let city = index == 0
            let district = try units.create(.district, named: "\(city ? "Thành phố" : "Huyện") \(place)", under: province.id, on: connection)
            var communes: [Commune] = []
            let communeCount = Int.random(in: 8...12, using: &random)
            for communeIndex in 0..<communeCount {
                let communePlace = VietnameseNames.place(&random, avoiding: &used)
                let prefix = city ? "Phường" : communeIndex == 0 ? "Thị trấn" : "Xã"
                let commune = try units.create(.commune, named: "\(prefix) \(communePlace)", under: district.id, on: connection)
                var hamletNames = Set<String>()
                let hamlets = try (0..<Int.random(in: 4...7, using: &random)).map { number in
                    // Wards have numbered quarters; villages have named hamlets.
                    let name = city ? "\(region.quarter) \(number + 1)" : "\(region.hamlet) \(VietnameseNames.place(&random, avoiding: &hamletNames))"
                    return try units.create(.hamlet, named: name, under: commune.id, on: connection)
                }
                let level = prefix == "Xã" ? "xã" : prefix == "Phường" ? "phường" : "thị trấn"
                communes.append(Commune(unit: commune, hamlets: hamlets, organisations: try bodies(level, of: communePlace, under: commune.id),
                                       place: communePlace, level: level))
            }
            let level = city ? "thành phố" : "huyện"
            districts.append(District(unit: district, communes: communes, organisations: try bodies(level, of: place, under: district.id), place: place))
        }
        return DemoProvince(unit: province, region: region, districts: districts, organisations: provinceBodies)
    }
}
