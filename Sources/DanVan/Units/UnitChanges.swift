public import PostgresClient

/// Dated changes to the unit tree, as the 2025 reorganisation made them: communes
/// renamed, moved from their district to the province, merged into a new commune;
/// districts dissolved; provinces merged.
///
/// Each change checks the tree as it stands on its day and is appended to the
/// history, never written over it: links and names before the day stay as they were,
/// so a 2024 report reads the same after the change. A change dated before the unit's
/// last recorded one is refused. Each is recorded in `danvan.unit_changes` with the
/// decision that made it, and asks `Authority` for `.reorganiseUnits`.
///
/// Every call runs in the caller's transaction (`in connection`) or in one of its own
/// (`on pool`): a merger moves children, ends units and creates the successor
/// together or not at all.
public struct UnitChanges: Sendable {
    /// The unit that carries on after a merger.
    public enum Successor: Sendable, Equatable {
        /// One that already stands (a province merged into its neighbour).
        case existing(Int64)
        /// One created by the merger, standing from its day.
        case new(OrgUnit.Kind, name: String, under: Int64)
    }

    public init() {}

    /// Gives `unit` a new name from `day`; before it, reports keep the old one.
    @discardableResult
    public func rename(
        _ unitID: Int64, to name: String, on day: CivilDate, decision: String = "", by principal: Principal, in connection: PostgresConnection
    ) throws -> OrgUnit {
        let unit = try standing(unitID, on: day, in: connection)
        try Authority.require(.reorganiseUnits, by: principal, on: .reorganisation(of: [unitID], into: []), in: connection)
        let cleaned = try cleanName(name)
        let decision = try cleanDecision(decision)
        try requireAfter(latest: "SELECT max(valid_from) AS d FROM danvan.unit_names WHERE unit_id = $1", unitID, day, in: connection)
        try connection.query(
            """
            INSERT INTO danvan.unit_names (unit_id, valid_from, name) VALUES ($1, $2::date, $3)
            ON CONFLICT (unit_id, valid_from) DO UPDATE SET name = excluded.name
            """,
            unitID, day.iso, cleaned
        )
        let renamed = try unique(cleaned, parent: unit.parentID) {
            try OrgUnit(row: connection.query(
                "UPDATE danvan.units SET name = $2 WHERE id = $1 RETURNING \(OrgUnit.columns)", unitID, cleaned
            ).single())
        }
        try record(.renamed, unitID, on: day, oldName: unit.name, newName: cleaned, decision: decision, in: connection)
        return renamed
    }

    /// Places `unit` (with everything under it) under `parent` from `day`: a commune
    /// from its district to the province on 01/07/2025.
    @discardableResult
    public func move(
        _ unitID: Int64, under parentID: Int64, on day: CivilDate, decision: String = "", by principal: Principal, in connection: PostgresConnection
    ) throws -> OrgUnit {
        let unit = try standing(unitID, on: day, in: connection)
        let parent = try standing(parentID, on: day, in: connection)
        try Authority.require(.reorganiseUnits, by: principal, on: .reorganisation(of: [unitID], into: [parentID]), in: connection)
        let decision = try cleanDecision(decision)
        guard unit.parentID != parentID else { throw UnitChangeError.alreadyThere(unitID, parent: parentID) }
        guard !parent.path.contains(unitID) else { throw UnitChangeError.underItself(unitID) }
        let moved = try relink(unit, under: parent, on: day, in: connection)
        try record(.moved, unitID, on: day, from: unit.parentID, to: parentID, decision: decision, in: connection)
        return moved
    }

    /// Merges `units` into `successor` from `day`: each merged unit stops standing, the
    /// units standing under it move under the successor, and from then on its records
    /// count for the successor (see `danvan.unit_lineage`). Returns the successor.
    @discardableResult
    public func merge(
        _ unitIDs: [Int64], into successor: Successor, on day: CivilDate, decision: String = "",
        by principal: Principal, in connection: PostgresConnection
    ) throws -> OrgUnit {
        guard !unitIDs.isEmpty, Set(unitIDs).count == unitIDs.count else { throw UnitChangeError.nothingToMerge }
        let merged = try unitIDs.map { try standing($0, on: day, in: connection) }
        let destination: Int64
        switch successor {
        case .existing(let id): destination = id
        case .new(_, _, let parent): destination = parent
        }
        try Authority.require(.reorganiseUnits, by: principal, on: .reorganisation(of: unitIDs, into: [destination]), in: connection)
        let decision = try cleanDecision(decision)
        let kind: OrgUnit.Kind
        switch successor {
        case .existing(let id):
            guard !unitIDs.contains(id) else { throw UnitChangeError.ownSuccessor(id) }
            kind = try standing(id, on: day, in: connection).kind
        case .new(let newKind, _, _):
            kind = newKind
        }
        if let other = merged.first(where: { $0.kind != kind }) {
            throw UnitChangeError.kindsDiffer(other.id, other.kind, successor: kind)
        }
        // End the merged units first, so the successor may take one of their names.
        for unit in merged { try end(unit, on: day, in: connection) }
        let carrier: OrgUnit
        switch successor {
        case .existing(let id):
            carrier = try standing(id, on: day, in: connection)
        case .new(let kind, let name, let parent):
            carrier = try UnitDirectory().create(kind, named: name, under: parent, from: day, on: connection)
        }
        for unit in merged {
            for child in try children(of: unit.id, standingOn: day, in: connection) {
                try relink(child, under: carrier, on: day, in: connection)
                try record(.moved, child.id, on: day, from: unit.id, to: carrier.id, decision: decision, in: connection)
            }
            try connection.query("UPDATE danvan.units SET successor_id = $2 WHERE id = $1", unit.id, carrier.id)
            try record(.merged, unit.id, on: day, successor: carrier.id, decision: decision, in: connection)
        }
        return carrier
    }

    /// Ends `unit` from `day`. Units still standing under it must be moved or merged
    /// first. With `successor`, its records count there from then on (a district's
    /// own work handed to the province); without one, where its parent's land.
    public func dissolve(
        _ unitID: Int64, on day: CivilDate, handingOverTo successor: Int64? = nil, decision: String = "",
        by principal: Principal, in connection: PostgresConnection
    ) throws {
        let unit = try standing(unitID, on: day, in: connection)
        if let successor { _ = try standing(successor, on: day, in: connection) }
        try Authority.require(.reorganiseUnits, by: principal, on: .reorganisation(of: [unitID], into: successor.map { [$0] } ?? []), in: connection)
        let decision = try cleanDecision(decision)
        guard successor != unitID else { throw UnitChangeError.ownSuccessor(unitID) }
        let remaining = try children(of: unitID, standingOn: day, in: connection)
        guard remaining.isEmpty else { throw UnitChangeError.unitsStillUnder(unitID, remaining.map(\.name)) }
        try end(unit, on: day, in: connection)
        try connection.query("UPDATE danvan.units SET successor_id = $2 WHERE id = $1", unitID, successor)
        try record(.dissolved, unitID, on: day, successor: successor, decision: decision, in: connection)
    }

    // MARK: - Steps

    /// The unit, locked for the transaction, if it stands on `day`.
    private func standing(_ id: Int64, on day: CivilDate, in connection: PostgresConnection) throws -> OrgUnit {
        guard let unit = try connection.query("SELECT \(OrgUnit.columns) FROM danvan.units WHERE id = $1 FOR UPDATE", id).first.map(OrgUnit.init(row:))
        else { throw UnitError.notFound(id) }
        guard unit.stands(on: day) else { throw UnitError.notStanding(id, on: day) }
        return unit
    }

    private func children(of id: Int64, standingOn day: CivilDate, in connection: PostgresConnection) throws -> [OrgUnit] {
        try connection.query(
            """
            SELECT \(OrgUnit.columns) FROM danvan.units
            WHERE id IN (SELECT danvan.unit_children_on($1, $2::date)) ORDER BY id FOR UPDATE
            """,
            id, day.iso
        ).map(OrgUnit.init(row:))
    }

    /// Closes the unit's open link on `day` and opens one to `parent`; the trigger moves
    /// the unit's path and its subtree's.
    @discardableResult
    private func relink(_ unit: OrgUnit, under parent: OrgUnit, on day: CivilDate, in connection: PostgresConnection) throws -> OrgUnit {
        guard UnitDirectory.allowed(child: unit.kind, under: parent.kind, from: day) else {
            throw UnitError.parentNotAllowed(child: unit.kind, parent: parent.kind, on: day)
        }
        try closeLink(of: unit.id, on: day, in: connection)
        try connection.query("INSERT INTO danvan.unit_links (unit_id, parent_id, valid_from) VALUES ($1, $2, $3::date)", unit.id, parent.id, day.iso)
        return try unique(unit.name, parent: parent.id) {
            try OrgUnit(row: connection.query(
                "UPDATE danvan.units SET parent_id = $2 WHERE id = $1 RETURNING \(OrgUnit.columns)", unit.id, parent.id
            ).single())
        }
    }

    /// The unit stops standing on `day`, and so does its link to its parent.
    private func end(_ unit: OrgUnit, on day: CivilDate, in connection: PostgresConnection) throws {
        guard unit.validFrom.map({ $0 < day }) ?? true else { throw UnitError.notStanding(unit.id, on: day) }
        try closeLink(of: unit.id, on: day, in: connection)
        try connection.query("UPDATE danvan.units SET valid_until = $2::date WHERE id = $1", unit.id, day.iso)
    }

    /// Ends the unit's open link on `day`. A link opened that same day (a commune's
    /// hamlet moved under the merged commune, then merged into another hamlet) held no
    /// day at all and is removed: the link before it already ends on `day`.
    private func closeLink(of unitID: Int64, on day: CivilDate, in connection: PostgresConnection) throws {
        try requireAfter(latest: "SELECT max(valid_from) AS d FROM danvan.unit_links WHERE unit_id = $1", unitID, day, in: connection)
        try connection.query(
            "DELETE FROM danvan.unit_links WHERE unit_id = $1 AND valid_until IS NULL AND valid_from = $2::date", unitID, day.iso
        )
        try connection.query("UPDATE danvan.unit_links SET valid_until = $2::date WHERE unit_id = $1 AND valid_until IS NULL", unitID, day.iso)
    }

    /// Refuses a change dated before the latest one of its kind: history is appended,
    /// never rewritten. Changes on one day follow each other (a commune merged, then
    /// its bodies merged in the new commune), the later one standing from that day.
    private func requireAfter(latest sql: String, _ id: Int64, _ day: CivilDate, in connection: PostgresConnection) throws {
        let row = try connection.query(
            "SELECT CASE WHEN isfinite(d) THEN to_char(d, 'DD/MM/YYYY') END AS d FROM (\(sql)) AS latest", id
        ).single()
        if let text = try row.decode("d", as: String?.self) {
            let latest = try CivilDate(parsing: text)
            guard latest <= day else { throw UnitChangeError.beforeLastChange(id, last: latest) }
        }
    }

    private func unique(_ name: String, parent: Int64?, _ body: () throws -> OrgUnit) throws -> OrgUnit {
        do {
            return try body()
        } catch let error as PostgresError where error.sqlState == "23505" {
            throw UnitError.duplicateName(name: name, parent: parent)
        }
    }

    private func cleanName(_ name: String) throws -> String {
        do {
            return try DomainText.clean(name, field: "unit name", maxLength: 300)
        } catch {
            throw UnitError.invalidName(error)
        }
    }

    private func cleanDecision(_ decision: String) throws -> String {
        decision.isEmpty ? "" : try DomainText.clean(decision, field: "decision", maxLength: 300)
    }

    private func record(
        _ change: UnitChange.Kind, _ unitID: Int64, on day: CivilDate, from: Int64? = nil, to: Int64? = nil, successor: Int64? = nil,
        oldName: String? = nil, newName: String? = nil, decision: String, in connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            INSERT INTO danvan.unit_changes (unit_id, change, effective_on, from_parent, to_parent, successor_id, old_name, new_name, decision)
            VALUES ($1, $2::danvan.unit_change, $3::date, $4, $5, $6, $7, $8, $9)
            """,
            unitID, change.rawValue, day.iso, from, to, successor, oldName, newName, decision
        )
    }
}

extension UnitChanges {
    @discardableResult
    public func rename(_ unitID: Int64, to name: String, on day: CivilDate, decision: String = "", by principal: Principal, on pool: PostgresConnectionPool) throws -> OrgUnit {
        try pool.transaction { try rename(unitID, to: name, on: day, decision: decision, by: principal, in: $0) }
    }

    @discardableResult
    public func move(_ unitID: Int64, under parentID: Int64, on day: CivilDate, decision: String = "", by principal: Principal, on pool: PostgresConnectionPool) throws -> OrgUnit {
        try pool.transaction { try move(unitID, under: parentID, on: day, decision: decision, by: principal, in: $0) }
    }

    @discardableResult
    public func merge(
        _ unitIDs: [Int64], into successor: Successor, on day: CivilDate, decision: String = "", by principal: Principal, on pool: PostgresConnectionPool
    ) throws -> OrgUnit {
        try pool.transaction { try merge(unitIDs, into: successor, on: day, decision: decision, by: principal, in: $0) }
    }

    public func dissolve(
        _ unitID: Int64, on day: CivilDate, handingOverTo successor: Int64? = nil, decision: String = "", by principal: Principal, on pool: PostgresConnectionPool
    ) throws {
        try pool.transaction { try dissolve(unitID, on: day, handingOverTo: successor, decision: decision, by: principal, in: $0) }
    }
}
