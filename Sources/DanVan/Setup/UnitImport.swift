public import PostgresClient

/// Imports a unit tree from a `UnitSheet`, as an office sets up its province: all
/// rows or none, every bad row named with its line, and a second import of the same
/// file changes nothing.
///
/// A row is the unit already standing with its code, or (without a code) with its
/// name and kind under the same parent; such a row is left as it is (a missing code is
/// filled in). A row whose code names a unit with another name, kind or parent is
/// refused: a change to the tree is a dated decision (`kheo units rename|move`), not
/// an import. Parents are rows of the file or standing units, by code, or by name
/// where the name is unique; rows may come in any order.
///
/// Who may: `.setUpUnits` on each standing unit the new rows hang from (an admin of a
/// unit sets up what lies under it); a new province only an operator or the system.
public struct UnitImport: Sendable {
    public struct Outcome: Sendable, Equatable {
        public var created = 0
        public var unchanged = 0
        public var codesAdded = 0
        /// The ids of the units the rows stand for, in row order.
        public var unitIDs: [Int64] = []
    }

    public init() {}

    public func run(
        _ sheet: UnitSheet, from day: CivilDate? = nil, by principal: Principal, on pool: PostgresConnectionPool
    ) throws -> Outcome {
        try pool.withConnection { connection in
            try connection.transaction { transaction in try run(sheet, from: day, by: principal, in: transaction) }
        }
    }

    public func run(
        _ sheet: UnitSheet, from day: CivilDate? = nil, by principal: Principal, in connection: PostgresConnection
    ) throws -> Outcome {
        // Standing units the rows may name: every one with a code the file mentions,
        // and every one with a name the file mentions.
        let rows = sheet.rows
        let codes = Set(rows.flatMap { [$0.code, $0.parentCode] }.compactMap { $0?.lowercased() })
        let names = Set(rows.flatMap { [$0.name, $0.parentName] }.compactMap { $0?.lowercased() })
        let existing = try connection.query(
            """
            SELECT \(OrgUnit.columns) FROM danvan.units
            WHERE valid_until IS NULL AND (lower(code) = ANY ($1::text[]) OR lower(name) = ANY ($2::text[]))
            """,
            Array(codes), Array(names)
        ).map(OrgUnit.init(row:))
        let standingByCode = Dictionary(existing.compactMap { unit in unit.code.map { ($0.lowercased(), unit) } }, uniquingKeysWith: { a, _ in a })
        let standingByName = Dictionary(grouping: existing, by: { $0.name.lowercased() })

        var problems = sheet.problems
        func refuse(_ row: UnitSheet.Row, _ reason: String) { problems.append(.init(line: row.line, reason: reason)) }
        /// Whether a parent reference names a row that could not be read (reported already).
        func unreadable(_ reference: String) -> Bool { sheet.unreadable.contains(reference.lowercased()) }

        // Codes and sibling names the file repeats.
        var firstLineOfCode: [String: Int] = [:]
        for row in rows {
            guard let code = row.code?.lowercased() else { continue }
            if let first = firstLineOfCode[code] { refuse(row, "the code \"\(row.code!)\" is already used on line \(first)") } else { firstLineOfCode[code] = row.line }
        }
        let rowsByCode = Dictionary(rows.compactMap { row in row.code.map { ($0.lowercased(), row) } }, uniquingKeysWith: { a, _ in a })
        let rowsByName = Dictionary(grouping: rows, by: { $0.name.lowercased() })

        /// Where a row's parent is: another row, a standing unit, or none (a province).
        enum Parent { case row(Int), unit(OrgUnit), none }
        var lineIndex: [Int: Int] = [:]
        for (index, row) in rows.enumerated() { lineIndex[row.line] = index }
        var parents: [Parent?] = Array(repeating: nil, count: rows.count)
        for (index, row) in rows.enumerated() {
            if let code = row.parentCode?.lowercased() {
                if let parentRow = rowsByCode[code] {
                    parents[index] = .row(lineIndex[parentRow.line]!)
                } else if let unit = standingByCode[code] {
                    parents[index] = .unit(unit)
                } else if unreadable(code) {
                    parents[index] = Parent.none
                } else {
                    refuse(row, "no row and no standing unit has the parent code \"\(row.parentCode!)\"")
                }
                if let name = row.parentName, case .row(let parentIndex) = parents[index], rows[parentIndex].name.lowercased() != name.lowercased() {
                    refuse(row, "the parent code \"\(row.parentCode!)\" is \"\(rows[parentIndex].name)\", not \"\(name)\"")
                }
            } else if let name = row.parentName {
                let candidates = rowsByName[name.lowercased()] ?? []
                if candidates.count == 1 {
                    parents[index] = .row(lineIndex[candidates[0].line]!)
                } else if candidates.count > 1 {
                    refuse(row, "\(candidates.count) rows are named \"\(name)\" (lines \(candidates.map { String($0.line) }.joined(separator: ", "))): give the parent's code (Mã cấp trên)")
                } else {
                    let units = standingByName[name.lowercased()] ?? []
                    if units.count == 1 {
                        parents[index] = .unit(units[0])
                    } else if units.isEmpty, unreadable(name) {
                        parents[index] = Parent.none
                    } else if units.isEmpty {
                        refuse(row, "the parent \"\(name)\" is neither a row of the file nor a standing unit")
                    } else {
                        refuse(row, "\(units.count) standing units are named \"\(name)\": give the parent's code (Mã cấp trên)")
                    }
                }
            } else if row.kind == .province {
                parents[index] = Parent.none
            } else {
                refuse(row, "a \(row.kind.vietnamese) needs a parent unit (Đơn vị cấp trên)")
            }
            if row.kind == .province, row.parentName != nil || row.parentCode != nil {
                refuse(row, "a province (tỉnh) is a root: leave its parent empty")
            }
        }
        // Each kind where the tree of its first day allows it.
        for (index, row) in rows.enumerated() {
            let parentKind: OrgUnit.Kind? = switch parents[index] {
            case .row(let parent): rows[parent].kind
            case .unit(let unit): unit.kind
            default: nil
            }
            guard let parentKind else { continue }
            let start = day ?? UnitDirectory.firstDay(of: row.kind, under: parentKind)
            if !UnitDirectory.allowed(child: row.kind, under: parentKind, from: start) {
                refuse(row, UnitError.parentNotAllowed(child: row.kind, parent: parentKind, on: start).description)
            }
        }

        // Parents before children; a row that is its own ancestor is refused.
        var order: [Int] = []
        var state = [UInt8](repeating: 0, count: rows.count)  // 0 new, 1 visiting, 2 placed
        func place(_ index: Int) -> Bool {
            if state[index] == 2 { return true }
            if state[index] == 1 { return false }
            state[index] = 1
            if case .row(let parent) = parents[index], !place(parent) { return false }
            state[index] = 2
            order.append(index)
            return true
        }
        for index in rows.indices where !place(index) {
            refuse(rows[index], "the row is its own ancestor through its parents")
            state[index] = 2
        }
        // Sibling names the file repeats under one parent.
        var siblings: [String: Int] = [:]
        for (index, row) in rows.enumerated() {
            guard let parent = parents[index] else { continue }
            let parentKey = switch parent {
            case .row(let parent): "r\(parent)"
            case .unit(let unit): "u\(unit.id)"
            case .none: "-"
            }
            let key = "\(parentKey)|\(row.kind.rawValue)|\(row.name.lowercased())"
            if let first = siblings[key] { refuse(row, "line \(first) already has a \(row.kind.vietnamese) named \"\(row.name)\" under the same parent") } else { siblings[key] = row.line }
        }
        guard problems.isEmpty else { throw UnitImportError.rejected(problems.sorted { $0.line < $1.line }) }

        // The rules, asked once for each standing unit rows hang from.
        var asked: Set<Int64> = []
        for (index, row) in rows.enumerated() {
            switch parents[index]! {
            case .unit(let unit) where asked.insert(unit.id).inserted:
                try Authority.require(.setUpUnits, by: principal, on: .unit(unit.id), in: connection)
            case .none where row.kind == .province && asked.insert(0).inserted:
                try Authority.require(.setUpUnits, by: principal, on: .global, in: connection)
            default: break
            }
        }

        // Rows become units, parents first; a unit already standing stays as it is.
        let directory = UnitDirectory()
        var ids = [Int64?](repeating: nil, count: rows.count)
        var outcome = Outcome()
        for index in order {
            let row = rows[index]
            let parentID: Int64? = switch parents[index]! {
            case .row(let parent): ids[parent]
            case .unit(let unit): unit.id
            case .none: nil
            }
            if let parent = parents[index], case .row(let parentIndex) = parent, ids[parentIndex] == nil { continue }  // its parent was refused
            do {
                if let found = try match(row, parent: parentID, byCode: standingByCode, in: connection) {
                    ids[index] = found.id
                    if row.code != nil, found.code == nil {
                        try connection.query("UPDATE danvan.units SET code = $2 WHERE id = $1", found.id, row.code)
                        outcome.codesAdded += 1
                    } else {
                        outcome.unchanged += 1
                    }
                } else {
                    ids[index] = try directory.create(row.kind, named: row.name, under: parentID, from: day, code: row.code, on: connection).id
                    outcome.created += 1
                }
            } catch let error as RowRefusal {
                refuse(row, error.reason)
            } catch let error as UnitError {
                refuse(row, error.description)
                // A refusal from the database ends the transaction's use: report it
                // with what was found before.
                if case .duplicateName = error { break }
                if case .duplicateCode = error { break }
            }
        }
        guard problems.isEmpty else { throw UnitImportError.rejected(problems.sorted { $0.line < $1.line }) }
        outcome.unitIDs = ids.compactMap { $0 }
        return outcome
    }

    struct RowRefusal: Error { let reason: String }

    /// The standing unit a row stands for, if any; a code that names a different unit,
    /// or a name whose unit bears another code, is refused.
    private func match(
        _ row: UnitSheet.Row, parent: Int64?, byCode: [String: OrgUnit], in connection: PostgresConnection
    ) throws -> OrgUnit? {
        if let code = row.code, let unit = byCode[code.lowercased()] {
            guard unit.name.lowercased() == row.name.lowercased(), unit.kind == row.kind, unit.parentID == parent else {
                throw RowRefusal(reason: "the code \"\(code)\" is unit \(unit.id) (\(unit.kind.vietnamese) \"\(unit.name)\""
                    + (unit.parentID.map { " under unit \($0)" } ?? "") + "); a change of name or parent is a dated decision: kheo units rename|move")
            }
            return unit
        }
        let found = try connection.query(
            """
            SELECT \(OrgUnit.columns) FROM danvan.units
            WHERE coalesce(parent_id, 0) = coalesce($1, 0) AND kind = $2::danvan.unit_kind AND lower(name) = lower($3) AND valid_until IS NULL
            """,
            parent, row.kind.rawValue, row.name
        ).first.map(OrgUnit.init(row:))
        if let found, let code = row.code, let other = found.code, other.lowercased() != code.lowercased() {
            throw RowRefusal(reason: "\"\(row.name)\" stands already with the code \"\(other)\", not \"\(code)\"")
        }
        return found
    }
}
