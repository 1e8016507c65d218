/// Everything a door can cause, each with the one rule that says who may cause it.
///
/// Every entry point names one of these when it asks `Authority`: an API operation,
/// a CLI command, a console page, a domain call. A new action must be added here
/// with its rule, and the test matrix (every action × every principal) then
/// covers it.
public enum Action: String, Sendable, CaseIterable {
    // The engine: jobs and queues.
    case readJobs, enqueueJob, controlJob, readQueues, administerQueues, readMetrics
    // Units and their inboxes.
    case readUnits, readInbox, markNotificationRead
    /// Rename, move, merge or dissolve units: the tree's dated changes (`UnitChanges`).
    case reorganiseUnits
    /// Create units under a unit (an import of its list); a province: operators only.
    case setUpUnits
    // Deadlines.
    case readDeadlines, createDeadline, meetDeadline, withdrawDeadline, moveDeadline
    // Campaigns and models.
    case readCampaigns, readModels, registerModel, advanceModel, evaluateModel
    /// Open a campaign of a unit, with its windows, targets and calendar.
    case openCampaign
    /// Describe a model, list its results, file its evidence: the registrant's side.
    case describeModel
    // Activities.
    case readActivities, recordActivity
    // People: members of bodies, and who follows which model.
    /// Add members to a body or end their service.
    case manageMembers
    /// Assign a member to follow a model: the campaign's side, as judging it is.
    case assignFollower
    /// Record an inspection or supervision of party organisations and members.
    case recordOversight
    // Inspections.
    case readInspections, submitInspectionPlan, recordFindings
    // Webhooks.
    case readWebhook, manageWebhook
    // Periods, statistics and reports.
    case readPeriods, readStatistics, requestReport, readReports
    /// Define a period: a campaign's by an admin of its unit, a calendar one by operators.
    case definePeriod
    // Office documents: the registry of a unit's reports, plans, notices, workbooks.
    case readDocuments
    /// Have a document drafted from the data (a `document.draft` job) for a unit.
    case draftDocument
    /// Rewrite a draft's narrative parts: the issuing unit's office.
    case editDocument
    /// Give a draft its number and date for good: the issuing unit's admin signs.
    case issueDocument
    // Tokens.
    case manageTokens

    /// How the acting unit must stand to the record's units.
    public enum Relation: Sendable, Equatable {
        /// No unit is involved: any principal holding the role.
        case anyone
        /// The record's unit lies in the caller's subtree (the caller's unit or below).
        case withinSubtree
        /// The unit a deadline is assigned to, and no other.
        case assignee
        /// The unit that issued a deadline, or a unit above it.
        case issuerOrAbove
        /// The campaign's unit or one above it, never the registering unit or a unit
        /// under it: a unit does not judge its own model.
        case evaluator
        /// The unit whose delegation carried out the inspection.
        case inspectingUnit
        /// Operators only: the queue is shared by every unit.
        case operatorOnly
        /// The unit that issues a document (or its successor), and no other: a unit
        /// above it reads the document but does not write or sign it.
        case issuingUnit
        /// Strictly above every unit changed, with every new parent or successor in the
        /// caller's subtree: a unit does not reorganise itself, and no unit reorganises
        /// provinces (the system does, after a national decision).
        case strictlyAbove
    }

    public struct Rule: Sendable, Equatable {
        public let role: Principal.Role
        public let relation: Relation
    }

    public var rule: Rule {
        switch self {
        case .readJobs, .readUnits, .readInbox, .readDeadlines, .readModels, .readActivities, .readInspections,
             .readWebhook, .readStatistics, .readReports, .readCampaigns, .readDocuments:
            Rule(role: .viewer, relation: .withinSubtree)
        case .readQueues, .readPeriods:
            Rule(role: .viewer, relation: .anyone)
        case .enqueueJob, .controlJob, .markNotificationRead, .createDeadline, .registerModel, .advanceModel, .describeModel,
             .recordActivity, .submitInspectionPlan, .requestReport, .recordOversight, .draftDocument:
            Rule(role: .editor, relation: .withinSubtree)
        case .editDocument: Rule(role: .editor, relation: .issuingUnit)
        case .issueDocument: Rule(role: .admin, relation: .issuingUnit)
        case .assignFollower: Rule(role: .editor, relation: .evaluator)
        case .meetDeadline: Rule(role: .editor, relation: .assignee)
        case .withdrawDeadline, .moveDeadline: Rule(role: .editor, relation: .issuerOrAbove)
        case .evaluateModel: Rule(role: .editor, relation: .evaluator)
        case .recordFindings: Rule(role: .editor, relation: .inspectingUnit)
        case .manageWebhook, .manageTokens, .setUpUnits, .openCampaign, .definePeriod, .manageMembers:
            Rule(role: .admin, relation: .withinSubtree)
        case .reorganiseUnits: Rule(role: .admin, relation: .strictlyAbove)
        case .administerQueues, .readMetrics: Rule(role: .operator, relation: .operatorOnly)
        }
    }

    /// A model's move to `state`: judging it (evaluated, recognised or not,
    /// commended) belongs to the campaign's side; carrying it out (implementing,
    /// replicated) to the registrant's.
    public static func modelTransition(to state: Model.State) -> Action {
        switch state {
        case .evaluated, .recognised, .notRecognised, .commended: .evaluateModel
        case .registered, .implementing, .replicated: .advanceModel
        }
    }
}
