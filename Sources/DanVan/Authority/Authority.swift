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
        let paths = try Self.paths(of: [acting] + subject.allUnits, in: executor)
        /// Whether `unit` is `ancestor` or lies under it.
        func within(_ unit: Int64, _ ancestor: Int64) -> Bool { paths[unit]?.contains(ancestor) ?? false }
        guard subject.visibleFrom.contains(where: { within($0, acting) }) else {
            throw AuthorityError.notFound(what: subject.what, id: subject.id)
        }
        switch (rule.relation, subject.units) {
        case (.anyone, _), (.withinSubtree, _):
            return
        case (.assignee, .deadline(let assignee, _)):
            guard acting == assignee else { throw AuthorityError.notYours("only the unit the deadline is assigned to marks it met") }
        case (.issuerOrAbove, .deadline(_, let issuer)):
            guard within(issuer, acting) else {
                throw AuthorityError.notYours("only the unit that issued this deadline, or a unit above it, may withdraw or move it")
            }
        case (.evaluator, .model(let registrant, let campaignUnit)):
            guard within(campaignUnit, acting), !within(acting, registrant) else {
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
            guard acting == inspecting else { throw AuthorityError.notYours("findings and conclusions are recorded by the inspecting unit") }
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

    private static func paths(of units: [Int64], in executor: some PostgresExecutor) throws -> [Int64: [Int64]] {
        var paths: [Int64: [Int64]] = [:]
        for row in try executor.query("SELECT id, path FROM danvan.units WHERE id = ANY($1::bigint[])", Array(Set(units))) {
            paths[try row.decode("id")] = try row.decode("path")
        }
        return paths
    }
}
