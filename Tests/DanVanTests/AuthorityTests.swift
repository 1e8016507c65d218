import DanVan
import KheoTesting
import PostgresClient
import Testing

/// `Authority` as a matrix: every action × every kind of principal, against records
/// whose units stand in each relation. The expectations are written out per action in
/// an exhaustive `switch`, so an action added to `Action` does not compile here until
/// someone decides who may cause it.
@Suite("Authority")
struct AuthorityTests {
    enum Outcome: String, CustomStringConvertible {
        case allowed, notFound, forbidden
        var description: String { rawValue }
    }

    /// The principals of the matrix, relative to commune A, whose records are acted on.
    enum Who: String, CaseIterable, CustomStringConvertible {
        case viewerOfA, editorOfA, adminOfA, siblingAdmin, parentAdmin, childAdmin, `operator`
        var description: String { rawValue }
    }

    struct Tree {
        let district: Int64, communeA: Int64, communeB: Int64, hamlet: Int64

        func principal(_ who: Who) -> Principal {
            switch who {
            case .viewerOfA: .unit(communeA, .viewer)
            case .editorOfA: .unit(communeA, .editor)
            case .adminOfA: .unit(communeA, .admin)
            case .siblingAdmin: .unit(communeB, .admin)
            case .parentAdmin: .unit(district, .admin)
            case .childAdmin: .unit(hamlet, .admin)
            case .operator: .operator(token: nil)
            }
        }
    }

    static func tree(_ db: TestDatabase) throws -> Tree {
        let units = UnitDirectory()
        let province = try units.create(.province, named: "Trà Vinh", under: nil, on: db.pool)
        let district = try units.create(.district, named: "Càng Long", under: province.id, on: db.pool)
        let a = try units.create(.commune, named: "Mỹ Cẩm", under: district.id, on: db.pool)
        let b = try units.create(.commune, named: "An Trường", under: district.id, on: db.pool)
        let hamlet = try units.create(.hamlet, named: "Ấp Mỹ Hòa", under: a.id, on: db.pool)
        return Tree(district: district.id, communeA: a.id, communeB: b.id, hamlet: hamlet.id)
    }

    /// What each action is tried on, and who the rules let through.
    static func expectation(_ action: Action, _ tree: Tree) -> (Subject, [Who: Outcome]) {
        let ofA = Subject.record("record", 1, unit: tree.communeA)
        // A deadline the district set for commune A; A's model in the district's
        // campaign; the district's visit to A.
        let deadline = Subject.deadline(1, assignee: tree.communeA, issuer: tree.district)
        let model = Subject.model(1, registrant: tree.communeA, campaignUnit: tree.district)
        let visit = Subject.visit(1, inspecting: tree.district, inspected: tree.communeA)
        let read: [Who: Outcome] = [
            .viewerOfA: .allowed, .editorOfA: .allowed, .adminOfA: .allowed, .siblingAdmin: .notFound, .parentAdmin: .allowed,
            .childAdmin: .notFound, .operator: .allowed,
        ]
        var write = read
        write[.viewerOfA] = .forbidden
        var administer = write
        administer[.editorOfA] = .forbidden
        let everyone = Dictionary(uniqueKeysWithValues: Who.allCases.map { ($0, Outcome.allowed) })
        switch action {
        case .readJobs, .readUnits, .readInbox, .readDeadlines, .readCampaigns, .readModels, .readActivities, .readInspections,
             .readWebhook, .readStatistics, .readReports:
            return (ofA, read)
        case .readQueues, .readPeriods:
            return (.global, everyone)
        case .enqueueJob, .controlJob, .markNotificationRead, .createDeadline, .registerModel, .recordActivity,
             .submitInspectionPlan, .requestReport, .recordOversight:
            return (ofA, write)
        case .advanceModel, .describeModel:
            return (model, write)
        case .manageWebhook, .manageTokens, .openCampaign, .manageMembers:
            return (ofA, administer)
        case .setUpUnits, .definePeriod:
            // Under commune A (or a campaign of A's); with no unit (a province, a
            // calendar period), operators only: see `setUpWithoutAUnitIsForOperators`.
            return (ofA, administer)
        case .administerQueues, .readMetrics:
            return (.global, Dictionary(uniqueKeysWithValues: Who.allCases.map { ($0, $0 == .operator ? .allowed : .forbidden) }))
        case .meetDeadline:
            // The assignee alone; the district that set it sees it but does not meet it.
            return (deadline, [
                .viewerOfA: .forbidden, .editorOfA: .allowed, .adminOfA: .allowed, .siblingAdmin: .notFound, .parentAdmin: .forbidden,
                .childAdmin: .notFound, .operator: .allowed,
            ])
        case .withdrawDeadline, .moveDeadline:
            return (deadline, [
                .viewerOfA: .forbidden, .editorOfA: .forbidden, .adminOfA: .forbidden, .siblingAdmin: .notFound, .parentAdmin: .allowed,
                .childAdmin: .notFound, .operator: .allowed,
            ])
        case .evaluateModel, .assignFollower:
            // Never the registrant: not even commune A's admin judges its own model.
            return (model, [
                .viewerOfA: .forbidden, .editorOfA: .forbidden, .adminOfA: .forbidden, .siblingAdmin: .notFound, .parentAdmin: .allowed,
                .childAdmin: .notFound, .operator: .allowed,
            ])
        case .reorganiseUnits:
            // Renaming, moving or merging commune A: a unit above it, never A itself.
            return (.reorganisation(of: [tree.communeA], into: [tree.district]), [
                .viewerOfA: .forbidden, .editorOfA: .forbidden, .adminOfA: .forbidden, .siblingAdmin: .notFound, .parentAdmin: .allowed,
                .childAdmin: .notFound, .operator: .allowed,
            ])
        case .readDocuments:
            return (.document(1, issuer: tree.communeA), read)
        case .draftDocument:
            return (ofA, write)
        case .editDocument, .issueDocument:
            // The issuing unit alone: the district above reads A's report but neither
            // writes nor signs it; signing takes A's admin.
            return (.document(1, issuer: tree.communeA), [
                .viewerOfA: .forbidden, .editorOfA: action == .editDocument ? .allowed : .forbidden, .adminOfA: .allowed,
                .siblingAdmin: .notFound, .parentAdmin: .forbidden, .childAdmin: .notFound, .operator: .allowed,
            ])
        case .recordFindings:
            // The inspecting district, not the inspected commune.
            return (visit, [
                .viewerOfA: .forbidden, .editorOfA: .forbidden, .adminOfA: .forbidden, .siblingAdmin: .notFound, .parentAdmin: .allowed,
                .childAdmin: .notFound, .operator: .allowed,
            ])
        }
    }

    /// A new province, or a calendar period every unit's figures are cut by, belongs to
    /// no unit: no unit's admin may create one.
    @Test func setUpWithoutAUnitIsForOperators() throws {
        try TestDatabase.with(schema: .domain) { db in
            let tree = try Self.tree(db)
            for action in [Action.setUpUnits, .definePeriod] {
                for who in Who.allCases {
                    let allowed = try Authority.allows(action, by: tree.principal(who), on: .global, in: db.pool)
                    #expect(allowed == (who == .operator), "\(action) by \(who)")
                }
            }
        }
    }

    @Test func everyActionForEveryPrincipal() throws {
        try TestDatabase.with(schema: .domain) { db in
            let tree = try Self.tree(db)
            var cells = 0
            for action in Action.allCases {
                let (subject, expected) = Self.expectation(action, tree)
                #expect(Set(expected.keys) == Set(Who.allCases), "\(action): every principal has an expectation")
                for who in Who.allCases {
                    let outcome: Outcome
                    do {
                        try Authority.require(action, by: tree.principal(who), on: subject, in: db.pool)
                        outcome = .allowed
                    } catch AuthorityError.notFound {
                        outcome = .notFound
                    } catch is AuthorityError {
                        outcome = .forbidden
                    }
                    #expect(outcome == expected[who], "\(action) by \(who)")
                    cells += 1
                }
            }
            #expect(cells == Action.allCases.count * Who.allCases.count)
        }
    }

    @Test func aRecordOfAUnitThatDoesNotExistIsNotFoundForUnitsAndTheSystemAlike() throws {
        try TestDatabase.with(schema: .domain) { db in
            let tree = try Self.tree(db)
            #expect(throws: AuthorityError.notFound(what: "unit", id: 987_654)) {
                try Authority.require(.readUnits, by: .unit(tree.district, .admin), on: .unit(987_654), in: db.pool)
            }
            #expect(throws: AuthorityError.notFound(what: "job", id: 7)) {
                try Authority.require(.readJobs, by: .unit(tree.district, .admin), on: .record("job", 7, unit: nil), in: db.pool)
            }
            try Authority.require(.readJobs, by: .system, on: .record("job", 7, unit: nil), in: db.pool)
        }
    }
}
