public import PostgresClient

/// The one place that decides who may cause what. Every door asks it: the HTTP API
/// before it reads or writes, the domain's record calls (`DeadlineBook`,
/// `ModelRegistry`, `InspectionVisits`, `Webhooks`) before they change a row, the CLI
/// for what it does as the system.
///
/// The answer comes in a fixed order, so a refusal teaches nothing it should not:
/// 1. the role (`Action.rule.role`): a role too low is refused with 403 whatever the
///    record, since it depends only on the caller's own token;
/// 2. sight: a record none of whose units lies in the caller's subtree is refused as
///    not found, exactly as one that does not exist;
/// 3. the record's own rule (`Action.Relation`): who among those who see it may act.
///
/// Operators pass every check; `Principal.system` is one.
public enum Authority {
    /// Throws an `AuthorityError` unless `principal` may perform `action` on `subject`
    /// (and the database's own error when it cannot be asked: never a refusal).
    public static func require(
        _ action: Action, by principal: Principal, on subject: Subject = .global, in executor: some PostgresExecutor
    ) throws {
        let rule = action.rule
        guard principal.role >= rule.role else { throw AuthorityError.roleTooLow(needed: rule.role, held: principal.role) }
        if principal.isOperator { return }
        guard let acting = principal.unitID else { throw AuthorityError.roleTooLow(needed: .operator, held: principal.role) }
        if rule.relation == .anyone { return }
        let tree = try Self.standing(of: [acting] + subject.allUnits, in: executor)
        if let ended = tree[acting]?.endedOn {
            throw AuthorityError.notYours("unit \(acting) no longer stands (merged or dissolved from \(ended)): act for the unit that succeeded it")
        }
        /// Whether `unit` (or a unit that succeeded it) is `ancestor` or lies under it.
        func within(_ unit: Int64, _ ancestor: Int64) -> Bool { tree[unit]?.ancestry.contains(ancestor) ?? false }
        /// Whether `acting` is `unit` or a unit that succeeded it.
        func isOrSucceeds(_ unit: Int64) -> Bool { tree[unit]?.chain.contains(acting) ?? (unit == acting) }
        /// Whether `acting` is `unit`, a unit that succeeded it, or lies under one of them.
        func isOrUnder(_ unit: Int64) -> Bool { tree[unit]?.chain.contains { within(acting, $0) } ?? false }
        guard subject.visibleFrom.contains(where: { within($0, acting) }) else {
            throw AuthorityError.notFound(what: subject.what, id: subject.id)
        }
        switch (rule.relation, subject.units) {
        case (.anyone, _), (.withinSubtree, _):
            return
        case (.assignee, .deadline(let assignee, _)):
            guard isOrSucceeds(assignee) else {
                throw AuthorityError.notYours("only the unit the deadline is assigned to (or its successor) marks it met")
            }
        case (.issuerOrAbove, .deadline(_, let issuer)):
            guard within(issuer, acting) else {
                throw AuthorityError.notYours("only the unit that issued this deadline, or a unit above it, may withdraw or move it")
            }
        case (.evaluator, .model(let registrant, let campaignUnit)):
            guard within(campaignUnit, acting), !isOrUnder(registrant) else {
                throw AuthorityError.notYours(
                    "evaluation, recognition and commendation belong to the campaign's unit or a unit above it, never to the registering unit or a unit under it"
                )
            }
        case (.strictlyAbove, .reorganisation(let changed, let destinations)):
            guard !changed.contains(acting) else {
                throw AuthorityError.notYours("a unit's own renaming, move, merger or dissolution is recorded by a unit above it")
            }
            // Every unit changed, and every unit they go to, must lie in the caller's
            // subtree; one outside it reads as not found, naming nothing.
            guard changed.allSatisfy({ within($0, acting) }), destinations.allSatisfy({ within($0, acting) }) else {
                throw AuthorityError.notFound(what: subject.what, id: subject.id)
            }
        case (.inspectingUnit, .visit(let inspecting, _)):
            guard isOrSucceeds(inspecting) else {
                throw AuthorityError.notYours("findings and conclusions are recorded by the inspecting unit (or its successor)")
            }
        case (.issuingUnit, .document(let issuer, _)):
            guard isOrSucceeds(issuer) else {
                throw AuthorityError.notYours("a document is written and issued by the unit that issues it (or its successor), not by a unit above or beside it")
            }
        default:
            // A rule asked of a record it does not apply to is a programming error;
            // refusing keeps it safe.
            throw AuthorityError.notFound(what: subject.what, id: subject.id)
        }
    }

    /// Whether `principal` may perform `action` on `subject`, without saying why not;
    /// throws only when the database cannot be asked.
    public static func allows(
        _ action: Action, by principal: Principal, on subject: Subject = .global, in executor: some PostgresExecutor
    ) throws -> Bool {
        do {
            try require(action, by: principal, on: subject, in: executor)
            return true
        } catch is AuthorityError {
            return false
        }
    }

    /// Where a unit stands for the rules: its ancestors (itself included) in today's
    /// tree and those of every unit that succeeded it, so that after a merger the
    /// successor and the units above it see and act on the merged units' records,
    /// while the tree the records were made in (the old district) still sees them as
    /// history; the units that stand in its shoes (itself and its successors, but not
    /// a unit above it that took over its work: a province that takes over a dissolved
    /// district's work still judges that district's models); and the day it ended, if
    /// it has by the domain's clock.
    struct Standing {
        var ancestry: Set<Int64>
        var chain: [Int64]
        var endedOn: CivilDate?
    }

    private static func standing(of units: [Int64], in executor: some PostgresExecutor) throws -> [Int64: Standing] {
        // Each unit's row, then its successors' (rarely any), until every chain ends.
        var rows: [Int64: (path: [Int64], successor: Int64?, ended: CivilDate?)] = [:]
        var wanted = Set(units)
        while !wanted.isEmpty {
            for row in try executor.query(
                """
                SELECT id, path, successor_id,
                       CASE WHEN valid_until <= danvan.today() THEN to_char(valid_until, 'DD/MM/YYYY') END AS ended
                FROM danvan.units WHERE id = ANY ($1::bigint[])
                """,
                Array(wanted)
            ) {
                rows[try row.decode("id")] = (
                    try row.decode("path"), try row.decode("successor_id"), try row.decode("ended", as: String?.self).map { try CivilDate(parsing: $0) }
                )
            }
            wanted = Set(rows.values.compactMap(\.successor)).subtracting(rows.keys)
        }
        var standing: [Int64: Standing] = [:]
        for unit in Set(units) {
            guard let own = rows[unit] else { continue }
            var entry = Standing(ancestry: Set(own.path), chain: [unit], endedOn: own.ended)
            var next = own.successor
            var seen: Set<Int64> = [unit]
            while let successor = next, let row = rows[successor], seen.insert(successor).inserted {
                entry.ancestry.formUnion(row.path)
                // A unit above it that took over its work does not stand in its shoes.
                if !own.path.contains(successor) { entry.chain.append(successor) }
                next = row.successor
            }
            standing[unit] = entry
        }
        return standing
    }
}
