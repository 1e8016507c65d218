public import Foundation
public import PostgresClient

extension UnitSheet {
    /// A standing unit as the export reads it.
    private struct Entry {
        let id: Int64, parent: Int64?, kind: OrgUnit.Kind, name: String, code: String?
    }

    /// The standing units of `unit`'s subtree as a sheet that `UnitImport` reads back to
    /// the same tree: itself first, each unit before the units under it, siblings by
    /// kind (territorial units before bodies) and then by name as people count
    /// ("Khóm 2" before "Khóm 10"). A parent is named, and given by code when it has one.
    public static func export(_ unit: Int64, by principal: Principal, on executor: some PostgresExecutor) throws -> UnitSheet {
        try Authority.require(.readUnits, by: principal, on: .unit(unit), in: executor)
        var entries: [Int64: Entry] = [:]
        for row in try executor.query(
            """
            SELECT id, parent_id, kind::text AS kind, name, code FROM danvan.units
            WHERE path @> ARRAY[$1::bigint] AND valid_until IS NULL
            """,
            unit
        ) {
            let kindName: String = try row.decode("kind")
            guard let kind = OrgUnit.Kind(rawValue: kindName) else { throw UnitError.unknownKind(kindName) }
            let id: Int64 = try row.decode("id")
            entries[id] = Entry(id: id, parent: try row.decode("parent_id"), kind: kind, name: try row.decode("name"), code: try row.decode("code"))
        }
        guard let top = entries[unit] else { throw UnitError.notFound(unit) }
        // The top's own parent, for its row: named as it stands.
        let above = try top.parent.flatMap { parent in
            try executor.query("SELECT name, code FROM danvan.units WHERE id = $1", parent).first
                .map { (name: try $0.decode("name", as: String.self), code: try $0.decode("code", as: String?.self)) }
        }
        let children = Dictionary(grouping: entries.values.filter { $0.id != unit }, by: { $0.parent ?? 0 })
        let kindOrder = Dictionary(uniqueKeysWithValues: OrgUnit.Kind.allCases.enumerated().map { ($0.element, $0.offset) })
        func ordered(_ siblings: [Entry]) -> [Entry] {
            siblings.sorted { left, right in
                if left.kind != right.kind { return kindOrder[left.kind, default: 0] < kindOrder[right.kind, default: 0] }
                return left.name.compare(right.name, options: [.numeric, .caseInsensitive]) == .orderedAscending
            }
        }
        var rows: [Row] = []
        func add(_ entry: Entry, parentName: String?, parentCode: String?) {
            rows.append(Row(line: rows.count + 2, code: entry.code, name: entry.name, kind: entry.kind, parentName: parentName, parentCode: parentCode))
            for child in ordered(children[entry.id] ?? []) { add(child, parentName: entry.name, parentCode: entry.code) }
        }
        add(top, parentName: above?.name, parentCode: above?.code ?? nil)
        return UnitSheet(rows: rows)
    }
}
