/// What a steering committee asks for: which units to inspect, by which delegations,
/// within which days and half-days. `InspectionScheduler` turns it into visits.
public struct InspectionPlan: Sendable, Equatable {
    /// Half a working day: inspections are announced as "Sáng ngày 05/8/2021" or
    /// "Chiều 21/9/2022".
    public enum Slot: Int, Sendable, Comparable, CaseIterable {
        case morning = 0
        case afternoon = 1

        /// As stored and sent over the API: "morning", "afternoon".
        public var name: String { self == .morning ? "morning" : "afternoon" }

        public init?(name: String) {
            switch name {
            case "morning": self = .morning
            case "afternoon": self = .afternoon
            default: return nil
            }
        }

        /// As written in notices: "Sáng", "Chiều".
        public var vietnamese: String { self == .morning ? "Sáng" : "Chiều" }

        public static func < (lhs: Slot, rhs: Slot) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// A delegation (đoàn kiểm tra) and the people in it; its leader is one of them.
    public struct Delegation: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var leader: String
        /// The head's position, which every notice names with them ("Phó Trưởng Ban
        /// Dân vận Huyện ủy"); empty when none was given.
        public var leaderPosition: String
        public var members: [String]

        public init(id: Int64, name: String, leader: String, leaderPosition: String = "", members: [String]) {
            self.id = id
            self.name = name
            self.leader = leader
            self.leaderPosition = leaderPosition
            self.members = members
        }
    }

    /// Days off besides weekends, first to last inclusive (e.g. Tết).
    public struct Holiday: Sendable, Equatable {
        public var name: String
        public var first: CivilDate
        public var last: CivilDate

        public init(name: String, first: CivilDate, last: CivilDate? = nil) {
            self.name = name
            self.first = first
            self.last = last ?? first
        }
    }

    /// The unit that issues the plan (a district's Ban Chỉ đạo, say).
    public var issuingUnit: Int64
    public var delegations: [Delegation]
    /// The units to visit, each exactly once.
    public var targets: [Int64]
    public var firstDay: CivilDate
    public var lastDay: CivilDate
    public var slots: [Slot]
    /// Visits one delegation makes in a day at most.
    public var visitsPerDelegationPerDay: Int
    public var holidays: [Holiday]
    /// A unit to visit on a given day (and half-day, if given): the commune asked for
    /// the 05/08 because its leaders are away the week after.
    public struct Pin: Sendable, Equatable, Codable {
        public var target: Int64
        public var date: CivilDate
        public var slot: Slot?

        public init(target: Int64, date: CivilDate, slot: Slot? = nil) {
            self.target = target
            self.date = date
            self.slot = slot
        }

        enum CodingKeys: String, CodingKey { case target, date, slot }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            target = try container.decode(Int64.self, forKey: .target)
            date = try CivilDate(parsing: try container.decode(String.self, forKey: .date))
            slot = try container.decodeIfPresent(String.self, forKey: .slot).flatMap(Slot.init(name:))
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(target, forKey: .target)
            try container.encode(date.description, forKey: .date)
            try container.encodeIfPresent(slot?.name, forKey: .slot)
        }
    }

    /// Units pinned to a day; the others are spread over the openings left.
    public var pins: [Pin] = []
    /// The campaign (or stage) the plan inspects; its visits then count in that
    /// campaign's periods, and remedies after them belong to it.
    public var campaignID: Int64?

    public init(
        issuingUnit: Int64, delegations: [Delegation], targets: [Int64], firstDay: CivilDate, lastDay: CivilDate,
        slots: [Slot] = Slot.allCases, visitsPerDelegationPerDay: Int = 1, holidays: [Holiday] = [], campaignID: Int64? = nil
    ) {
        self.campaignID = campaignID
        self.issuingUnit = issuingUnit
        self.delegations = delegations
        self.targets = targets
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.slots = slots
        self.visitsPerDelegationPerDay = visitsPerDelegationPerDay
        self.holidays = holidays
    }
}

/// One scheduled visit: a delegation at a unit on a day and half-day.
public struct InspectionVisit: Sendable, Hashable {
    public let target: Int64
    public let delegation: Int64
    public let date: CivilDate
    public let slot: InspectionPlan.Slot
}
