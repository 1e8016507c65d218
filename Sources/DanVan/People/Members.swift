public import PostgresClient

/// The members of bodies, and who follows which model ("phân công thành viên Ban Chỉ
/// đạo theo dõi mô hình"). Adding a member is its unit's admins' (`.manageMembers`);
/// assigning one to a model is the campaign's side's (`.assignFollower`, as judging a
/// model is), with a member serving in the assigning unit's subtree.
public struct Members: Sendable {
    public init() {}

    public func add(
        to unitID: Int64, fullName: String, position: String = "", from day: CivilDate, by principal: Principal, in connection: PostgresConnection
    ) throws -> Member {
        guard try UnitDirectory().find(unitID, on: connection) != nil else { throw UnitError.notFound(unitID) }
        try Authority.require(.manageMembers, by: principal, on: .record("member", 0, unit: unitID), in: connection)
        let name: String, cleanedPosition: String
        do {
            name = try DomainText.clean(fullName, field: "member's name", maxLength: 200)
            cleanedPosition = position.isEmpty ? "" : try DomainText.clean(position, field: "position", maxLength: 200)
        } catch {
            throw MemberError.invalidText(error)
        }
        return try Member(row: connection.query(
            "INSERT INTO danvan.members (unit_id, full_name, position, valid_from) VALUES ($1, $2, $3, $4::date) RETURNING \(Member.columns)",
            unitID, name, cleanedPosition, day.iso
        ).single())
    }

    /// Ends a member's service from `day`; the models they follow need a new follower.
    public func end(_ memberID: Int64, on day: CivilDate, by principal: Principal, in connection: PostgresConnection) throws {
        guard let member = try find(memberID, on: connection) else { throw MemberError.notFound(memberID) }
        try Authority.require(.manageMembers, by: principal, on: .record("member", memberID, unit: member.unitID), in: connection)
        try connection.query("UPDATE danvan.members SET valid_until = $2::date WHERE id = $1 AND valid_until IS NULL", memberID, day.iso)
        try connection.query("UPDATE danvan.model_followers SET ended_on = $2::date WHERE member_id = $1 AND ended_on IS NULL", memberID, day.iso)
    }

    public func find(_ id: Int64, on executor: some PostgresExecutor) throws -> Member? {
        try executor.query("SELECT \(Member.columns) FROM danvan.members WHERE id = $1", id).first.map(Member.init(row:))
    }

    /// The members of `unit` serving on `day` (all, when no day), by name.
    public func list(of unitID: Int64, serving day: CivilDate? = nil, on executor: some PostgresExecutor) throws -> [Member] {
        try executor.query(
            """
            SELECT \(Member.columns) FROM danvan.members
            WHERE unit_id = $1 AND ($2::date IS NULL OR (valid_from <= $2::date AND (valid_until IS NULL OR valid_until > $2::date)))
            ORDER BY full_name, id
            """,
            unitID, day?.iso
        ).map(Member.init(row:))
    }

    /// Makes `member` the one following `model` from `day`, ending the last assignment.
    public func assign(_ memberID: Int64, toFollow modelID: Int64, on day: CivilDate, by principal: Principal, in connection: PostgresConnection) throws {
        guard let model = try ModelRegistry().find(modelID, on: connection) else { throw ModelError.notFound(modelID) }
        let campaignUnit: Int64 = try connection.query("SELECT unit_id FROM danvan.campaigns WHERE id = $1", model.campaignID).single().decode("unit_id")
        try Authority.require(.assignFollower, by: principal, on: .model(modelID, registrant: model.unitID, campaignUnit: campaignUnit), in: connection)
        guard let member = try find(memberID, on: connection) else { throw MemberError.notFound(memberID) }
        // The member serves in the assigner's tree: one outside it reads as not found.
        try Authority.require(.readUnits, by: principal, on: .record("member", memberID, unit: member.unitID), in: connection)
        guard member.validFrom <= day, member.validUntil.map({ day < $0 }) ?? true else { throw MemberError.notServing(member: memberID, on: day) }
        try connection.query(
            "UPDATE danvan.model_followers SET ended_on = greatest($2::date, assigned_on) WHERE model_id = $1 AND ended_on IS NULL", modelID, day.iso
        )
        try connection.query(
            """
            INSERT INTO danvan.model_followers (model_id, member_id, assigned_on) VALUES ($1, $2, $3::date)
            ON CONFLICT (model_id, assigned_on) DO UPDATE SET member_id = excluded.member_id, ended_on = NULL
            """,
            modelID, memberID, day.iso
        )
    }

    /// Who follows `model` now, if anyone.
    public func follower(of modelID: Int64, on executor: some PostgresExecutor) throws -> Member? {
        try executor.query(
            """
            SELECT \(Member.columns) FROM danvan.members
            WHERE id = (SELECT member_id FROM danvan.model_followers WHERE model_id = $1 AND ended_on IS NULL)
            """,
            modelID
        ).first.map(Member.init(row:))
    }
}
