public import PostgresClient

/// A campaign of the movement, run by a unit for its subtree: models are registered
/// into one, within the window its registration windows set per kind of unit.
public struct Campaign: Sendable, Equatable {
    public let id: Int64
    public let unitID: Int64
    public let name: String
    public let startsOn: CivilDate
    public let endsOn: CivilDate

    static let columns = "c.id, c.unit_id, c.name, to_char(c.starts_on, 'DD/MM/YYYY') AS starts_on, to_char(c.ends_on, 'DD/MM/YYYY') AS ends_on"

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        unitID = try row.decode("unit_id")
        name = try row.decode("name")
        startsOn = try CivilDate(parsing: try row.decode("starts_on"))
        endsOn = try CivilDate(parsing: try row.decode("ends_on"))
    }
}
