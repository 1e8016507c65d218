public import PostgresClient

/// A period the statistics and reports are cut by: six months (sơ kết), a year (tổng
/// kết), or a stage of several years.
public struct Period: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case sixMonth = "six_month"
        case year, stage
    }

    public let id: Int64
    public let kind: Kind
    public let name: String
    public let startsOn: CivilDate
    public let endsOn: CivilDate
    /// The campaign (or stage) whose models the period counts; nil for a calendar
    /// period, which counts the models registered between its dates.
    public let campaignID: Int64?

    static let columns = """
        id, kind::text AS kind, name, to_char(starts_on, 'DD/MM/YYYY') AS starts_on, to_char(ends_on, 'DD/MM/YYYY') AS ends_on, campaign_id
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        kind = Kind(rawValue: try row.decode("kind")) ?? .stage
        name = try row.decode("name")
        startsOn = try CivilDate(parsing: try row.decode("starts_on"))
        endsOn = try CivilDate(parsing: try row.decode("ends_on"))
        campaignID = try row.decode("campaign_id")
    }
}

/// The periods statistics are computed for.
public struct Periods: Sendable {
    public init() {}

    /// Adds a period, or returns the one with the same campaign, kind and days. With
    /// `campaign`, the period counts that campaign's models (a stage's: those of its
    /// campaigns) registered by its last day: Càng Long's "năm 2018" runs from
    /// 15/10/2017 to the 2018 review and holds a model registered on 20/10/2017.
    public func create(
        _ kind: Period.Kind, named name: String, from first: CivilDate, to last: CivilDate, campaign: Int64? = nil,
        on executor: some PostgresExecutor
    ) throws -> Period {
        let cleaned = try DomainText.clean(name, field: "period name", maxLength: 200)
        guard first <= last else { throw PeriodError.endsBeforeItStarts(first: first, last: last) }
        do {
            return try Period(row: executor.query(
                """
                INSERT INTO danvan.periods (kind, name, starts_on, ends_on, campaign_id)
                VALUES ($1::danvan.period_kind, $2, $3::date, $4::date, $5)
                ON CONFLICT (coalesce(campaign_id, 0), kind, starts_on, ends_on) DO UPDATE SET name = danvan.periods.name
                RETURNING \(Period.columns)
                """,
                kind.rawValue, cleaned, first.iso, last.iso, campaign
            ).single())
        } catch let error as PostgresError where error.sqlState == "23503" {
            throw PeriodError.campaignNotFound(campaign ?? 0)
        }
    }

    /// Every period, latest first.
    public func list(on executor: some PostgresExecutor) throws -> [Period] {
        // By the date columns (`p.`), not the dd/mm/yyyy text the select names alike.
        try executor.query("SELECT \(Period.columns) FROM danvan.periods AS p ORDER BY p.starts_on DESC, p.ends_on, p.id").map(Period.init(row:))
    }

    public func find(_ id: Int64, on executor: some PostgresExecutor) throws -> Period? {
        try executor.query("SELECT \(Period.columns) FROM danvan.periods WHERE id = $1", id).first.map(Period.init(row:))
    }
}

/// Why a period was refused; nothing was stored.
public enum PeriodError: Error, Sendable, Equatable, CustomStringConvertible {
    case endsBeforeItStarts(first: CivilDate, last: CivilDate)
    case campaignNotFound(Int64)

    public var description: String {
        switch self {
        case .endsBeforeItStarts(let first, let last): "the period ends (\(last)) before it starts (\(first))"
        case .campaignNotFound(let id): "campaign \(id) does not exist"
        }
    }
}
