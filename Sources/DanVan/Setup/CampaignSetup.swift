public import PostgresClient

/// Opens a campaign as an office announces one ("Kế hoạch … năm 2018"): its span from
/// tradition day to tradition day, who registers when and how many (the windows and
/// targets per kind of unit), and the periods its figures are cut by, in one
/// transaction, asking `Authority` for `.openCampaign` on the campaign's unit.
public struct CampaignSetup: Sendable {
    /// When units of one kind register, and the floors they are asked to reach.
    public struct Window: Sendable, Equatable {
        public let unitKind: OrgUnit.Kind
        public let opens: CivilDate
        public let closes: CivilDate
        public let collectiveTarget: Int
        public let individualTarget: Int

        public init(unitKind: OrgUnit.Kind, opens: CivilDate, closes: CivilDate, collectiveTarget: Int, individualTarget: Int) {
            self.unitKind = unitKind
            self.opens = opens
            self.closes = closes
            self.collectiveTarget = collectiveTarget
            self.individualTarget = individualTarget
        }
    }

    /// An entry of a campaign's own field list, filed under one of the four groups:
    /// Mỹ Thanh 2022's "Xây dựng nông thôn mới, đô thị văn minh" under economy.
    public struct Field: Sendable, Equatable {
        public let code: String
        public let name: String
        public let group: Model.Field

        public init(code: String, name: String, group: Model.Field) {
            self.code = code
            self.name = name
            self.group = group
        }
    }

    public struct Plan: Sendable, Equatable {
        public let unitID: Int64
        public let name: String
        public let first: CivilDate
        public let last: CivilDate
        /// The stage (a campaign of several years) this campaign is part of.
        public let stageID: Int64?
        public let windows: [Window]
        /// Whether to define the campaign's periods: for a campaign of a year, the year
        /// and its six-month review (sơ kết 6 tháng, to 30/06); for a stage, the stage
        /// (sơ kết giai đoạn).
        public let definePeriods: Bool
        /// The campaign's own field list; empty: the four groups.
        public let fields: [Field]

        public init(
            unitID: Int64, name: String, first: CivilDate, last: CivilDate, stageID: Int64? = nil, windows: [Window] = [],
            definePeriods: Bool = true, fields: [Field] = []
        ) {
            self.fields = fields
            self.unitID = unitID
            self.name = name
            self.first = first
            self.last = last
            self.stageID = stageID
            self.windows = windows
            self.definePeriods = definePeriods
        }

        /// A span longer than about a year and a half is a stage.
        public var isStage: Bool { last.dayNumber - first.dayNumber > 550 }
    }

    public struct Opened: Sendable, Equatable {
        public let campaignID: Int64
        public let periods: [Period]
    }

    public init() {}

    public func open(_ plan: Plan, by principal: Principal, on pool: PostgresConnectionPool) throws -> Opened {
        try pool.withConnection { connection in
            try connection.transaction { transaction in try open(plan, by: principal, in: transaction) }
        }
    }

    public func open(_ plan: Plan, by principal: Principal, in connection: PostgresConnection) throws -> Opened {
        guard try UnitDirectory().find(plan.unitID, on: connection) != nil else { throw ModelError.unitNotFound(plan.unitID) }
        try Authority.require(.openCampaign, by: principal, on: .unit(plan.unitID, what: "unit"), in: connection)
        if let stage = plan.stageID {
            guard let stageUnit: Int64 = try connection.query("SELECT unit_id FROM danvan.campaigns WHERE id = $1", stage).first?.decode("unit_id") else {
                throw ModelError.campaignNotFound(stage)
            }
            try Authority.require(.readCampaigns, by: principal, on: .record("campaign", stage, unit: stageUnit), in: connection)
        }
        for window in plan.windows where window.opens < plan.first || window.closes > plan.last {
            throw ModelError.invalidWindow("the \(window.unitKind.vietnamese) window (\(window.opens)–\(window.closes)) lies outside the campaign (\(plan.first)–\(plan.last))")
        }
        let registry = ModelRegistry()
        let campaign = try registry.createCampaign(named: plan.name, unit: plan.unitID, from: plan.first, to: plan.last, stage: plan.stageID, on: connection)
        for window in plan.windows {
            try registry.setWindow(
                campaign: campaign, unitKind: window.unitKind, opens: window.opens, closes: window.closes,
                collectiveQuota: window.collectiveTarget, individualQuota: window.individualTarget, on: connection
            )
        }
        for (index, field) in plan.fields.enumerated() {
            let name: String
            do { name = try DomainText.clean(field.name, field: "field name", maxLength: 300) } catch { throw ModelError.invalidText(error) }
            let codeAllowed = (1...40).contains(field.code.count)
                && field.code.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
            guard codeAllowed, !plan.fields[..<index].contains(where: { $0.code == field.code }) else {
                throw ModelError.invalidWindow("a field's code is 1 to 40 of a-z, 0-9 and _, each once, not \"\(field.code.prefix(60))\"")
            }
            try connection.query(
                "INSERT INTO danvan.campaign_fields (campaign_id, code, name, field, position) VALUES ($1, $2, $3, $4::danvan.model_field, $5)",
                campaign, field.code, name, field.group.rawValue, Int32(index + 1)
            )
        }
        var periods: [Period] = []
        if plan.definePeriods {
            let periodsBook = Periods()
            if plan.isStage {
                periods.append(try periodsBook.create(
                    .stage, named: "Giai đoạn \(plan.first.year)–\(plan.last.year)", from: plan.first, to: plan.last, campaign: campaign, on: connection
                ))
            } else {
                let year = plan.last.year
                periods.append(try periodsBook.create(.year, named: "Năm \(year)", from: plan.first, to: plan.last, campaign: campaign, on: connection))
                let midYear = try CivilDate(year: year, month: 6, day: 30)
                if plan.first < midYear, midYear < plan.last {
                    periods.append(try periodsBook.create(
                        .sixMonth, named: "6 tháng đầu năm \(year)", from: plan.first, to: midYear, campaign: campaign, on: connection
                    ))
                }
            }
        }
        return Opened(campaignID: campaign, periods: periods)
    }

    /// Defines a period: a campaign's (by an admin of the campaign's unit or above) or
    /// a calendar one (operators only: every unit's statistics are cut by it).
    public func definePeriod(
        _ kind: Period.Kind, named name: String, from first: CivilDate, to last: CivilDate, campaign: Int64?, by principal: Principal,
        in connection: PostgresConnection
    ) throws -> Period {
        if let campaign {
            guard let unit: Int64 = try connection.query("SELECT unit_id FROM danvan.campaigns WHERE id = $1", campaign).first?.decode("unit_id") else {
                throw PeriodError.campaignNotFound(campaign)
            }
            try Authority.require(.definePeriod, by: principal, on: .record("campaign", campaign, unit: unit), in: connection)
        } else {
            try Authority.require(.definePeriod, by: principal, on: .global, in: connection)
        }
        return try Periods().create(kind, named: name, from: first, to: last, campaign: campaign, on: connection)
    }
}
