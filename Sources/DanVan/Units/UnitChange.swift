public import PostgresClient

/// One recorded change to the unit tree (`danvan.unit_changes`): what was done to which
/// unit, from which day, by which decision.
public struct UnitChange: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case created, renamed, moved, merged, dissolved
    }

    public let id: Int64
    public let unitID: Int64
    public let kind: Kind
    /// The day it took effect; `nil` for a unit recorded as standing since before the records.
    public let effectiveOn: CivilDate?
    public let fromParent: Int64?
    public let toParent: Int64?
    public let successorID: Int64?
    public let oldName: String?
    public let newName: String?
    /// The decision that made it ("Nghị quyết số 1687/NQ-UBTVQH15"), or empty.
    public let decision: String

    /// Every change of `unit`, in the order recorded.
    public static func history(of unit: Int64, on executor: some PostgresExecutor) throws -> [UnitChange] {
        try executor.query(
            """
            SELECT id, unit_id, change::text AS change,
                   CASE WHEN isfinite(effective_on) THEN to_char(effective_on, 'DD/MM/YYYY') END AS effective_on,
                   from_parent, to_parent, successor_id, old_name, new_name, decision
            FROM danvan.unit_changes WHERE unit_id = $1 ORDER BY id
            """,
            unit
        ).map { row in
            UnitChange(
                id: try row.decode("id"), unitID: try row.decode("unit_id"),
                kind: Kind(rawValue: try row.decode("change")) ?? .created,
                effectiveOn: try row.decode("effective_on", as: String?.self).map { try CivilDate(parsing: $0) },
                fromParent: try row.decode("from_parent"), toParent: try row.decode("to_parent"),
                successorID: try row.decode("successor_id"), oldName: try row.decode("old_name"),
                newName: try row.decode("new_name"), decision: try row.decode("decision")
            )
        }
    }
}
