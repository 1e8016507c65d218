public import PostgresClient

/// Clusters (cụm thi đua): units that report together, as the province's plains
/// cluster of district offices did at its "giao ban cụm" of June 2024. A cluster is a
/// unit of kind `.cluster` under the province (or, before 01/07/2025, a district);
/// its members are other units, each for a span of days, and its figures are its
/// members' figures, counted once (the roll-up reads them from the lineage cache).
///
/// Adding or ending a membership is a change to how figures roll up, so it asks
/// `Authority` for `.reorganiseUnits`, as any other change to the tree does.
public struct Clusters: Sendable {
    public init() {}

    /// Makes `member` part of `cluster` from `day`.
    public func add(
        _ memberID: Int64, to clusterID: Int64, from day: CivilDate, by principal: Principal, in connection: PostgresConnection
    ) throws {
        let directory = UnitDirectory()
        guard let cluster = try directory.find(clusterID, on: connection) else { throw UnitError.notFound(clusterID) }
        guard let member = try directory.find(memberID, on: connection) else { throw UnitError.notFound(memberID) }
        try Authority.require(.reorganiseUnits, by: principal, on: .reorganisation(of: [memberID], into: [clusterID]), in: connection)
        guard cluster.kind == .cluster else { throw UnitError.invalidMember("unit \(clusterID) is a \(cluster.kind.rawValue), not a cluster") }
        guard member.kind != .cluster else { throw UnitError.invalidMember("a cluster's members are units, not other clusters") }
        guard cluster.stands(on: day) else { throw UnitError.notStanding(clusterID, on: day) }
        guard member.stands(on: day) else { throw UnitError.notStanding(memberID, on: day) }
        let nested = try connection.query(
            """
            SELECT u.id FROM danvan.cluster_members AS m JOIN danvan.units AS u ON u.id = m.unit_id
            WHERE m.cluster_id = $1 AND m.valid_from <= $3::date AND (m.valid_until IS NULL OR m.valid_until > $3::date)
              AND (u.path @> ARRAY[$2::bigint] OR $4::bigint[] @> ARRAY[u.id])
            """,
            clusterID, memberID, day.iso, member.path
        )
        if let other = nested.first {
            throw UnitError.invalidMember(
                "unit \(memberID) and member \(try other.decode("id", as: Int64.self)) of cluster \(clusterID) lie one inside the other: a cluster's members must not overlap"
            )
        }
        do {
            try connection.query(
                "INSERT INTO danvan.cluster_members (cluster_id, unit_id, valid_from) VALUES ($1, $2, $3::date)", clusterID, memberID, day.iso
            )
        } catch {
            // 23P01: the exclusion constraint (an overlapping span of the same pair).
            guard ["23P01", "23505"].contains(error.sqlState) else { throw error }
            throw UnitError.invalidMember("unit \(memberID) is already a member of cluster \(clusterID) on \(day)")
        }
    }

    /// Ends `member`'s membership of `cluster` from `day` (it no longer counts there).
    public func remove(
        _ memberID: Int64, from clusterID: Int64, on day: CivilDate, by principal: Principal, in connection: PostgresConnection
    ) throws {
        try Authority.require(.reorganiseUnits, by: principal, on: .reorganisation(of: [memberID], into: [clusterID]), in: connection)
        let ended = try connection.query(
            """
            UPDATE danvan.cluster_members SET valid_until = $3::date
            WHERE cluster_id = $1 AND unit_id = $2 AND valid_until IS NULL AND valid_from < $3::date
            RETURNING 1
            """,
            clusterID, memberID, day.iso
        )
        guard !ended.isEmpty else { throw UnitError.invalidMember("unit \(memberID) is not a member of cluster \(clusterID) before \(day)") }
    }

    /// The members of `cluster` on `day`, by id.
    public func members(of clusterID: Int64, on day: CivilDate, on executor: some PostgresExecutor) throws -> [Int64] {
        try executor.query(
            """
            SELECT unit_id FROM danvan.cluster_members
            WHERE cluster_id = $1 AND valid_from <= $2::date AND (valid_until IS NULL OR valid_until > $2::date) ORDER BY unit_id
            """,
            clusterID, day.iso
        ).map { try $0.decode("unit_id") }
    }
}
