public import PostgresClient

/// Creates and finds units. Every call runs on the executor given, so it joins the
/// caller's transaction when given a connection inside one.
public struct UnitDirectory: Sendable {
    public init() {}

    /// Creates a unit under `parent` (none for a province). The name is cleaned and
    /// stored in NFC; a name already used by a sibling of the same kind is refused.
    public func create(_ kind: OrgUnit.Kind, named name: String, under parent: Int64?, on executor: some PostgresExecutor) throws -> OrgUnit {
        let cleaned: String
        do {
            cleaned = try DomainText.clean(name, field: "unit name", maxLength: 300)
        } catch {
            throw UnitError.invalidName(error)
        }
        if kind == .province, parent != nil { throw UnitError.provinceWithParent }
        guard kind == .province || parent != nil else { throw UnitError.parentMissing(kind) }
        if let parent {
            guard let parentUnit = try find(parent, on: executor) else { throw UnitError.notFound(parent) }
            guard Self.allowed(child: kind, under: parentUnit.kind) else {
                throw UnitError.parentNotAllowed(child: kind, parent: parentUnit.kind)
            }
        }
        do {
            return try OrgUnit(row: executor.query(
                "INSERT INTO danvan.units (parent_id, kind, name) VALUES ($1, $2::danvan.unit_kind, $3) RETURNING \(OrgUnit.columns)",
                parent, kind.rawValue, cleaned
            ).single())
        } catch let error as PostgresError where error.sqlState == "23505" {
            throw UnitError.duplicateName(name: cleaned, parent: parent)
        }
    }

    public func find(_ id: Int64, on executor: some PostgresExecutor) throws -> OrgUnit? {
        try executor.query("SELECT \(OrgUnit.columns) FROM danvan.units WHERE id = $1", id).first.map(OrgUnit.init(row:))
    }

    /// The unit and everything under it, parents before children.
    public func subtree(of id: Int64, on executor: some PostgresExecutor) throws -> [OrgUnit] {
        let units = try executor.query(
            "SELECT \(OrgUnit.columns) FROM danvan.units WHERE path @> ARRAY[$1::bigint] ORDER BY path", id
        ).map(OrgUnit.init(row:))
        guard !units.isEmpty else { throw UnitError.notFound(id) }
        return units
    }

    /// Mirrors `danvan.unit_parent_allowed`, so a refusal names the fault before the
    /// database has to.
    static func allowed(child: OrgUnit.Kind, under parent: OrgUnit.Kind) -> Bool {
        switch child {
        case .province: false
        case .district: parent == .province
        case .commune: parent == .district
        case .hamlet: parent == .commune
        case .partyBranch: [.commune, .hamlet, .partyCommittee].contains(parent)
        default: [.province, .district, .commune].contains(parent)
        }
    }
}
