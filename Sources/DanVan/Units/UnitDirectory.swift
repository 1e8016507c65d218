public import PostgresClient
import Foundation

/// Creates and finds units. Every call runs on the executor given, so it joins the
/// caller's transaction when given a connection inside one.
public struct UnitDirectory: Sendable {
    public init() {}

    /// Creates a unit under `parent` (none for a province), standing from `day`. The
    /// name is cleaned and stored in NFC; a name already used by a standing sibling of
    /// the same kind is refused.
    ///
    /// Without a day, the unit stands as far back as the records go, or from the day its
    /// place in the tree began: a commune directly under a province from 01/07/2025, a
    /// unit under one created later from its parent's first day.
    public func create(
        _ kind: OrgUnit.Kind, named name: String, under parent: Int64?, from day: CivilDate? = nil, code: String? = nil,
        on executor: some PostgresExecutor
    ) throws -> OrgUnit {
        let code = try code.map(Self.cleanCode)
        let cleaned: String
        do {
            cleaned = try DomainText.clean(name, field: "unit name", maxLength: 300)
        } catch {
            throw UnitError.invalidName(error)
        }
        if kind == .province, parent != nil { throw UnitError.provinceWithParent }
        guard kind == .province || parent != nil else { throw UnitError.parentMissing(kind) }
        var start = day
        if let parent {
            guard let parentUnit = try find(parent, on: executor) else { throw UnitError.notFound(parent) }
            start = start ?? [parentUnit.validFrom, Self.firstDay(of: kind, under: parentUnit.kind)].compactMap { $0 }.max()
            guard Self.allowed(child: kind, under: parentUnit.kind, from: start) else {
                throw UnitError.parentNotAllowed(child: kind, parent: parentUnit.kind, on: start)
            }
            if let start, !parentUnit.stands(on: start) { throw UnitError.notStanding(parent, on: start) }
            if start == nil, parentUnit.validFrom != nil { throw UnitError.notStanding(parent, on: nil) }
        }
        do {
            return try OrgUnit(row: executor.query(
                """
                INSERT INTO danvan.units (parent_id, kind, name, valid_from, code)
                VALUES ($1, $2::danvan.unit_kind, $3, coalesce($4::date, '-infinity'), $5)
                RETURNING \(OrgUnit.columns)
                """,
                parent, kind.rawValue, cleaned, start?.iso, code
            ).single())
        } catch let error as PostgresError where error.sqlState == "23505" && error.message.contains("units_code") {
            throw UnitError.duplicateCode(code ?? "")
        } catch let error as PostgresError where error.sqlState == "23505" {
            throw UnitError.duplicateName(name: cleaned, parent: parent)
        }
    }

    /// A code as offices write it, trimmed; 1 to 40 characters of letters, digits,
    /// and `-`, `_`, `.`, `/`.
    static func cleanCode(_ code: String) throws(UnitError) -> String {
        let trimmed = code.trimmingCharacters(in: .whitespaces)
        let allowed = trimmed.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_./".unicodeScalars.contains($0) }
        guard (1...40).contains(trimmed.count), allowed else { throw UnitError.invalidCode(code) }
        return trimmed
    }

    /// The standing unit that bears `code` (codes compare without regard to case).
    public func find(code: String, on executor: some PostgresExecutor) throws -> OrgUnit? {
        try executor.query(
            "SELECT \(OrgUnit.columns) FROM danvan.units WHERE lower(code) = lower($1) AND valid_until IS NULL", code
        ).first.map(OrgUnit.init(row:))
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
    /// database has to: which kind may sit under which, for a link starting on `day`
    /// (`nil`: as far back as the records go, before the two-tier system).
    static func allowed(child: OrgUnit.Kind, under parent: OrgUnit.Kind, from day: CivilDate?) -> Bool {
        let twoTier = day.map { $0 >= OrgUnit.twoTierSince } ?? false
        return switch child {
        case .province: false
        case .district: parent == .province && !twoTier
        case .commune: parent == (twoTier ? .province : .district)
        case .hamlet: parent == .commune
        case .partyBranch: [.commune, .hamlet, .partyCommittee].contains(parent)
        case .massMobilisationBloc: parent == .commune
        case .cluster: parent == .province || (parent == .district && !twoTier)
        default: [.province, .district, .commune].contains(parent)
        }
    }

    /// The first day a link of this kind can start: a commune directly under a
    /// province exists only in the two-tier system.
    static func firstDay(of child: OrgUnit.Kind, under parent: OrgUnit.Kind) -> CivilDate? {
        child == .commune && parent == .province ? OrgUnit.twoTierSince : nil
    }
}
