public import PostgresClient

/// A unit (đơn vị) of the movement: a territorial unit (province, district, commune, hamlet) or
/// an organisation attached to one. (Not `Unit`: Foundation has one.)
public struct OrgUnit: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case province, district, commune, hamlet
        case partyCommittee = "party_committee"
        case partyBranch = "party_branch"
        case fatherlandFront = "fatherland_front"
        case massOrganisation = "mass_organisation"
        case agency, police
        case steeringCommittee = "steering_committee"

        /// The word officials use, for reports and messages.
        public var vietnamese: String {
            switch self {
            case .province: "tỉnh"
            case .district: "huyện"
            case .commune: "xã"
            case .hamlet: "ấp"
            case .partyCommittee: "Đảng ủy"
            case .partyBranch: "chi bộ"
            case .fatherlandFront: "Mặt trận Tổ quốc"
            case .massOrganisation: "đoàn thể"
            case .agency: "cơ quan"
            case .police: "Công an"
            case .steeringCommittee: "Ban Chỉ đạo"
            }
        }
    }

    public let id: Int64
    public let parentID: Int64?
    public let kind: Kind
    public let name: String
    /// Ids from the province down to this unit, itself last.
    public let path: [Int64]

    /// Levels below the province: 0 for a province, 1 for a district, …
    public var depth: Int { path.count - 1 }

    static let columns = "id, parent_id, kind::text AS kind, name, path"

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        parentID = try row.decode("parent_id")
        let kindName: String = try row.decode("kind")
        guard let kind = Kind(rawValue: kindName) else { throw UnitError.unknownKind(kindName) }
        self.kind = kind
        name = try row.decode("name")
        path = try row.decode("path")
    }
}
