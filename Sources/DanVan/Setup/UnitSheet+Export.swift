public import PostgresClient

extension UnitSheet {
    /// The standing units of `unit`'s subtree (itself first, parents before children,
    /// siblings by name) as a sheet that `UnitImport` reads back to the same tree. A
    /// parent is named, and given by code when it has one.
    public static func export(_ unit: Int64, by principal: Principal, on executor: some PostgresExecutor) throws -> UnitSheet {
        try Authority.require(.readUnits, by: principal, on: .unit(unit), in: executor)
        let rows = try executor.query(
            """
            WITH RECURSIVE tree (id, sort) AS (
                SELECT id, ARRAY[name::text] FROM danvan.units WHERE id = $1 AND valid_until IS NULL
              UNION ALL
                SELECT u.id, t.sort || (u.kind::text || ' ' || u.name)
                FROM tree AS t JOIN danvan.units AS u ON u.parent_id = t.id AND u.valid_until IS NULL
            )
            SELECT u.code, u.name, u.kind::text AS kind, p.name AS parent_name, p.code AS parent_code
            FROM tree AS t JOIN danvan.units AS u ON u.id = t.id LEFT JOIN danvan.units AS p ON p.id = u.parent_id
            ORDER BY t.sort COLLATE "C"
            """,
            unit
        )
        guard !rows.isEmpty else { throw UnitError.notFound(unit) }
        return UnitSheet(rows: try rows.enumerated().map { index, row in
            let kindName: String = try row.decode("kind")
            guard let kind = OrgUnit.Kind(rawValue: kindName) else { throw UnitError.unknownKind(kindName) }
            return Row(
                line: index + 2, code: try row.decode("code"), name: try row.decode("name"), kind: kind,
                parentName: try row.decode("parent_name"), parentCode: try row.decode("parent_code")
            )
        })
    }
}
