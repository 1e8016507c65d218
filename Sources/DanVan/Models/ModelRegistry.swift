public import PostgresClient

/// A unit's request to register a model in a campaign.
public struct ModelRegistration: Sendable, Equatable {
    public var campaignID: Int64
    public var unitID: Int64
    public var field: Model.Field
    public var holder: Model.Holder
    public var holderName: String
    public var title: String
    /// The day of the registration; it must fall within the unit kind's window.
    public var day: CivilDate
    /// The entry of the campaign's own field list (`CampaignSetup.Field`), when it has
    /// one; `field` must be the group the entry is filed under.
    public var campaignField: String?

    public init(
        campaignID: Int64, unitID: Int64, field: Model.Field, holder: Model.Holder, holderName: String, title: String, day: CivilDate,
        campaignField: String? = nil
    ) {
        self.campaignField = campaignField
        self.campaignID = campaignID
        self.unitID = unitID
        self.field = field
        self.holder = holder
        self.holderName = holderName
        self.title = title
        self.day = day
    }
}

/// Campaigns, registration windows, model registrations and their lifecycle.
public struct ModelRegistry: Sendable {
    public init() {}

    /// Starts a campaign run by `unit` for its subtree; returns its id.
    /// Opens a campaign run by `unit` from `first` to `last` (a campaign year runs from
    /// one tradition-day review to the next), optionally as a year of `stage`.
    public func createCampaign(
        named name: String, unit: Int64, from first: CivilDate, to last: CivilDate, stage: Int64? = nil, on executor: some PostgresExecutor
    ) throws -> Int64 {
        let cleaned = try Self.clean(name, field: "campaign name", limit: 300)
        guard first <= last else { throw ModelError.invalidWindow("the campaign ends (\(last)) before it starts (\(first))") }
        if let stage, try executor.query("SELECT 1 FROM danvan.campaigns WHERE id = $1", stage).first == nil {
            throw ModelError.campaignNotFound(stage)
        }
        do {
            return try executor.query(
                "INSERT INTO danvan.campaigns (unit_id, name, starts_on, ends_on, stage_id) VALUES ($1, $2, $3::date, $4::date, $5) RETURNING id",
                unit, cleaned, first.iso, last.iso, stage
            ).single().decode("id")
        } catch {
            guard error.sqlState == "23503" else { throw error }
            throw ModelError.unitNotFound(unit)
        }
    }

    /// Sets when, and how many models, units of one kind may register in a campaign.
    public func setWindow(
        campaign: Int64, unitKind: OrgUnit.Kind, opens: CivilDate, closes: CivilDate, collectiveQuota: Int, individualQuota: Int,
        on executor: some PostgresExecutor
    ) throws {
        guard opens <= closes else { throw ModelError.invalidWindow("it closes (\(closes)) before it opens (\(opens))") }
        guard collectiveQuota >= 0, individualQuota >= 0 else { throw ModelError.invalidWindow("quotas cannot be negative") }
        do {
            try executor.query(
                """
                INSERT INTO danvan.registration_windows (campaign_id, unit_kind, opens_on, closes_on, collective_quota, individual_quota)
                VALUES ($1, $2::danvan.unit_kind, $3::date, $4::date, $5, $6)
                ON CONFLICT (campaign_id, unit_kind) DO UPDATE
                SET opens_on = excluded.opens_on, closes_on = excluded.closes_on,
                    collective_quota = excluded.collective_quota, individual_quota = excluded.individual_quota
                """,
                campaign, unitKind.rawValue, opens.iso, closes.iso, Int32(collectiveQuota), Int32(individualQuota)
            )
        } catch {
            guard error.sqlState == "23503" else { throw error }
            throw ModelError.campaignNotFound(campaign)
        }
    }

    /// Registers a model, refusing (with the reason, storing nothing) a unit outside the
    /// campaign or not standing on the day, a day outside its window, or a title
    /// registered before. The unit's row is locked for the transaction, so two
    /// registrations of one title cannot race past the check.
    public func register(_ registration: ModelRegistration, by principal: Principal, on pool: PostgresConnectionPool) throws -> Model {
        try pool.transaction { connection in try register(registration, by: principal, in: connection) }
    }

    /// As `register(_:by:on:)`, inside the caller's open transaction. A campaign that
    /// does not cover the unit is refused as one that does not exist: a unit learns
    /// nothing of other units' campaigns.
    public func register(_ registration: ModelRegistration, by principal: Principal, in connection: PostgresConnection) throws -> Model {
        try Authority.require(.registerModel, by: principal, on: .unit(registration.unitID), in: connection)
        let title = try Self.clean(registration.title, field: "model title", limit: 500)
        let holderName = try Self.clean(registration.holderName, field: "holder name", limit: 300)
        guard let unit = try connection.query(
            "SELECT \(OrgUnit.columns) FROM danvan.units WHERE id = $1 FOR UPDATE", registration.unitID
        ).first.map(OrgUnit.init(row:)) else { throw ModelError.unitNotFound(registration.unitID) }
        let unitName = unit.name
        let unitKind = unit.kind
        let path = unit.path
        guard unit.stands(on: registration.day) else { throw ModelError.unitNotStanding(unit: unitName, on: registration.day) }
        guard let campaign = try connection.query(
            "SELECT name, unit_id FROM danvan.campaigns WHERE id = $1", registration.campaignID
        ).first else { throw ModelError.campaignNotFound(registration.campaignID) }
        let campaignName: String = try campaign.decode("name")
        guard path.contains(try campaign.decode("unit_id", as: Int64.self)) else {
            throw ModelError.campaignNotFound(registration.campaignID)
        }
        guard let window = try connection.query(
            """
            SELECT to_char(opens_on, 'DD/MM/YYYY') AS opens, to_char(closes_on, 'DD/MM/YYYY') AS closes,
                   collective_quota, individual_quota
            FROM danvan.registration_windows WHERE campaign_id = $1 AND unit_kind = $2::danvan.unit_kind
            """,
            registration.campaignID, unitKind.rawValue
        ).first else { throw ModelError.noWindow(unitKind: unitKind, campaign: campaignName) }
        let opens = try CivilDate(parsing: try window.decode("opens"))
        let closes = try CivilDate(parsing: try window.decode("closes"))
        guard opens <= registration.day, registration.day <= closes else {
            throw ModelError.outsideWindow(on: registration.day, opens: opens, closes: closes)
        }
        // A campaign with its own field list takes registrations in its fields, each
        // filed under one of the four groups the statistics are cut by.
        let fields = try connection.query(
            "SELECT code, name, field::text AS field FROM danvan.campaign_fields WHERE campaign_id = $1 ORDER BY position", registration.campaignID
        ).map { (code: try $0.decode("code", as: String.self), name: try $0.decode("name", as: String.self), group: try $0.decode("field", as: String.self)) }
        if let code = registration.campaignField {
            guard let entry = fields.first(where: { $0.code == code }) else {
                throw ModelError.unknownCampaignField(code, known: fields.map(\.code))
            }
            guard entry.group == registration.field.rawValue else {
                throw ModelError.campaignFieldGroup(code, group: entry.group)
            }
        } else if !fields.isEmpty {
            throw ModelError.unknownCampaignField("", known: fields.map(\.code))
        }
        // The window's numbers are targets ("số lượng đăng ký"), not ceilings: a unit
        // that registers more is doing well, one that falls short shows it in
        // `RegistrationTargets`.
        let model: Model
        do {
            model = try Model(row: connection.query(
                """
                INSERT INTO danvan.models (campaign_id, unit_id, field, holder_kind, holder_name, title, registered_on, campaign_field)
                VALUES ($1, $2, $3::danvan.model_field, $4::danvan.holder_kind, $5, $6, $7::date, $8)
                RETURNING \(Model.columns)
                """,
                registration.campaignID, registration.unitID, registration.field.rawValue, registration.holder.rawValue,
                holderName, title, registration.day.iso, registration.campaignField
            ).single())
        } catch let error as PostgresError where error.sqlState == "23505" {
            throw ModelError.duplicateRegistration(title: title, unit: unitName)
        }
        try connection.query(
            "INSERT INTO danvan.model_transitions (model_id, from_state, to_state, happened_on) VALUES ($1, NULL, 'registered', $2::date)",
            model.id, registration.day.iso
        )
        try Notifications.post(
            to: registration.unitID, kind: "model.registered", title: "Tiếp nhận đăng ký mô hình: \(title)",
            body: "Đã tiếp nhận đăng ký mô hình \"\(title)\" (\(registration.field.vietnamese), \(registration.holder.vietnamese): \(holderName)) ngày \(registration.day), trong \(campaignName).",
            deadline: nil, key: "model:\(model.id):registered", on: connection
        )
        return model
    }

    /// Moves a model along its lifecycle in its own transaction; see
    /// `transition(_:to:on:note:in:)`.
    public func transition(
        _ modelID: Int64, to state: Model.State, on day: CivilDate, note: String = "", by principal: Principal, pool: PostgresConnectionPool
    ) throws -> Model {
        try pool.transaction { connection in try transition(modelID, to: state, on: day, note: note, by: principal, in: connection) }
    }

    /// Moves a model along its lifecycle, keeping the transition; a move the lifecycle
    /// does not allow is refused. Judging a model (evaluated, recognised or not,
    /// commended) is the campaign's unit's or a unit above it, never the registrant's
    /// (`Action.modelTransition(to:)`). The unit hears of an outcome (recognised or
    /// not, commended, replicated) in the same transaction.
    public func transition(
        _ modelID: Int64, to state: Model.State, on day: CivilDate, note: String = "", by principal: Principal,
        in connection: PostgresConnection
    ) throws -> Model {
        var cleanedNote = ""
        if !note.isEmpty { cleanedNote = try Self.clean(note, field: "note", limit: 2000) }
        guard let row = try connection.query(
            """
            SELECT m.state::text AS state, m.unit_id, c.unit_id AS campaign_unit
            FROM danvan.models AS m JOIN danvan.campaigns AS c ON c.id = m.campaign_id WHERE m.id = $1 FOR UPDATE OF m
            """,
            modelID
        ).first else {
            // Worded as Authority's refusal of one outside the caller's subtree.
            throw AuthorityError.notFound(what: "model", id: modelID)
        }
        try Authority.require(
            Action.modelTransition(to: state), by: principal,
            on: .model(modelID, registrant: try row.decode("unit_id"), campaignUnit: try row.decode("campaign_unit")), in: connection
        )
        let current = Model.State(rawValue: try row.decode("state")) ?? .registered
        guard current.next.contains(state) else { throw ModelError.transitionNotAllowed(from: current, to: state) }
        try connection.query(
            """
            INSERT INTO danvan.model_transitions (model_id, from_state, to_state, happened_on, note)
            VALUES ($1, $2::danvan.model_state, $3::danvan.model_state, $4::date, $5)
            """,
            modelID, current.rawValue, state.rawValue, day.iso, cleanedNote
        )
        let model = try Model(row: connection.query(
            "UPDATE danvan.models SET state = $2::danvan.model_state WHERE id = $1 RETURNING \(Model.columns)", modelID, state.rawValue
        ).single())
        if [.recognised, .notRecognised, .commended, .replicated].contains(state) {
            try Notifications.post(
                to: model.unitID, kind: "model.\(state.rawValue)", title: "Mô hình \(state.vietnamese): \(model.title)",
                body: "Mô hình \"\(model.title)\" \(state.vietnamese) ngày \(day)." + (cleanedNote.isEmpty ? "" : " \(cleanedNote)"),
                deadline: nil, key: "model:\(modelID):\(state.rawValue)", on: connection
            )
        }
        return model
    }

    private static func clean(_ text: String, field: String, limit: Int) throws(ModelError) -> String {
        do {
            return try DomainText.clean(text, field: field, maxLength: limit)
        } catch {
            throw .invalidText(error)
        }
    }
}
