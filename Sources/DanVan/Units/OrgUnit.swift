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
        /// Ban Dân vận: the party committee's mass-mobilisation board, which receives
        /// registrations and runs the movement at its level.
        case massMobilisationCommittee = "mass_mobilisation_committee"
        /// Khối Dân vận: a commune's working core ("lực lượng chủ công").
        case massMobilisationBloc = "mass_mobilisation_bloc"
        /// Cụm thi đua: units that report together; its members are other units
        /// (`Clusters`), and its figures are theirs.
        case cluster

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
            case .massMobilisationCommittee: "Ban Dân vận"
            case .massMobilisationBloc: "Khối Dân vận"
            case .cluster: "cụm thi đua"
            }
        }
    }

    /// The first day of the two-tier local government: from 01/07/2025 communes, wards
    /// and special zones sit directly under the province and no district is created.
    public static let twoTierSince = try! CivilDate(year: 2025, month: 7, day: 1)

    public let id: Int64
    /// Today's parent (the latest link); `UnitHistory` has the parents of past days.
    public let parentID: Int64?
    public let kind: Kind
    /// Today's name (the latest); `UnitHistory` has the names of past days.
    public let name: String
    /// Ids from the province down to this unit, itself last, in today's tree (for a
    /// unit that ended, the tree of its last day).
    public let path: [Int64]
    /// The first day the unit stood; `nil` when it stood as far back as the records go.
    public let validFrom: CivilDate?
    /// The first day it no longer stood; `nil` while it stands.
    public let validUntil: CivilDate?
    /// The unit that carries on its work and its figures after it ended.
    public let successorID: Int64?
    /// The code the office keeps for it (the administrative unit code, or its own);
    /// unique among standing units, and what an import matches rows by.
    public let code: String?

    /// Levels below the province: 0 for a province, 1 for a district, …
    public var depth: Int { path.count - 1 }

    /// Whether the unit stood on `day`.
    public func stands(on day: CivilDate) -> Bool {
        (validFrom.map { $0 <= day } ?? true) && (validUntil.map { day < $0 } ?? true)
    }

    static let columns = """
        id, parent_id, kind::text AS kind, name, path,
        CASE WHEN isfinite(valid_from) THEN to_char(valid_from, 'DD/MM/YYYY') END AS valid_from,
        to_char(valid_until, 'DD/MM/YYYY') AS valid_until, successor_id, code
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        parentID = try row.decode("parent_id")
        let kindName: String = try row.decode("kind")
        guard let kind = Kind(rawValue: kindName) else { throw UnitError.unknownKind(kindName) }
        self.kind = kind
        name = try row.decode("name")
        path = try row.decode("path")
        validFrom = try row.decode("valid_from", as: String?.self).map { try CivilDate(parsing: $0) }
        validUntil = try row.decode("valid_until", as: String?.self).map { try CivilDate(parsing: $0) }
        successorID = try row.decode("successor_id")
        code = try row.decode("code")
    }
}
