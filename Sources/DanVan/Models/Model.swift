public import PostgresClient

/// A "Dân vận khéo" model: an initiative a unit registers and carries through.
public struct Model: Sendable, Equatable, Codable {
    /// Exactly one of the movement's four fields (lĩnh vực).
    public enum Field: String, Sendable, CaseIterable, Codable {
        case economy
        case cultureSociety = "culture_society"
        case defenceSecurity = "defence_security"
        case politicalSystem = "political_system"

        public var vietnamese: String {
            switch self {
            case .economy: "Kinh tế"
            case .cultureSociety: "Văn hóa – Xã hội"
            case .defenceSecurity: "Quốc phòng – An ninh"
            case .politicalSystem: "Xây dựng hệ thống chính trị"
            }
        }

        /// Reads a field as APIs and files send it; refuses anything else by name.
        public init(parsing text: String) throws(ModelError) {
            guard let field = Field(rawValue: text) else { throw ModelError.unknownField(text) }
            self = field
        }
    }

    /// Who carries the model: a collective (tập thể) or one person (cá nhân).
    public enum Holder: String, Sendable, CaseIterable, Codable {
        case collective, individual

        public var vietnamese: String { self == .collective ? "tập thể" : "cá nhân" }
    }

    /// registered → implementing → evaluated → recognised or not recognised; a
    /// recognised model may be commended, and a recognised or commended one replicated.
    public enum State: String, Sendable, CaseIterable, Codable {
        case registered, implementing, evaluated, recognised
        case notRecognised = "not_recognised"
        case commended, replicated

        /// The states a model may move to from this one.
        public var next: Set<State> {
            switch self {
            case .registered: [.implementing]
            case .implementing: [.evaluated]
            case .evaluated: [.recognised, .notRecognised]
            case .recognised: [.commended, .replicated]
            case .commended: [.replicated]
            case .notRecognised, .replicated: []
            }
        }

        public var vietnamese: String {
            switch self {
            case .registered: "đã đăng ký"
            case .implementing: "đang thực hiện"
            case .evaluated: "đã đánh giá"
            case .recognised: "được công nhận"
            case .notRecognised: "không được công nhận"
            case .commended: "được biểu dương"
            case .replicated: "được nhân rộng"
            }
        }
    }

    public let id: Int64
    public let campaignID: Int64
    public let unitID: Int64
    public let field: Field
    public let holder: Holder
    public let holderName: String
    public let title: String
    public let state: State
    public let registeredOn: CivilDate

    static let columns = """
        id, campaign_id, unit_id, field::text AS field, holder_kind::text AS holder_kind, holder_name, title,
        state::text AS state, to_char(registered_on, 'DD/MM/YYYY') AS registered_on
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        campaignID = try row.decode("campaign_id")
        unitID = try row.decode("unit_id")
        field = try Field(parsing: try row.decode("field"))
        holder = Holder(rawValue: try row.decode("holder_kind")) ?? .collective
        holderName = try row.decode("holder_name")
        title = try row.decode("title")
        state = State(rawValue: try row.decode("state")) ?? .registered
        registeredOn = try CivilDate(parsing: try row.decode("registered_on"))
    }
}
