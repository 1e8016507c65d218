import DanVan
import HTTPTypes

/// What the domain's refusals answer over HTTP: input a person must correct is 400,
/// something missing is 404, a rule of what is stored (a window, a quota, a state) is
/// 409. The domain's own message is the detail: it already says what to do.
enum DomainProblem {
    static func from(_ error: any Error) -> Problem? {
        switch error {
        case let error as AuthorityError:
            switch error {
            case .notFound: Problem(.notFound, error.description)
            case .roleTooLow, .notYours: Problem(.forbidden, error.description)
            }
        case let error as ModelError:
            switch error {
            case .unknownField, .invalidText, .invalidWindow, .unknownCampaignField, .campaignFieldGroup: Problem(.badRequest, error.description)
            case .unitNotFound, .campaignNotFound, .notFound: Problem(.notFound, error.description)
            case .noWindow, .outsideWindow, .duplicateRegistration, .transitionNotAllowed, .unitNotStanding:
                Problem(.conflict, error.description)
            }
        case let error as ActivityLog.ActivityError:
            if case .unitNotFound = error { Problem(.notFound, error.description) } else { Problem(.badRequest, error.description) }
        case let error as InspectionPlans.SubmissionError:
            switch error {
            // Whether a unit outside the issuer exists is none of the caller's business.
            case .unknownUnit(let unit): Problem(.badRequest, "unit \(unit) is not under the unit that issues the plan")
            case .outsideIssuer(let unit, _): Problem(.badRequest, "unit \(unit) is not under the unit that issues the plan")
            case .invalidPlan, .invalidText, .invalidRemedyDays, .delegationNameTwice: Problem(.badRequest, error.description)
            case .alreadyBegun: Problem(.conflict, error.description)
            }
        case let error as InspectionVisits.VisitError:
            switch error {
            case .alreadyRecorded, .beforeVisit: Problem(.conflict, error.description)
            case .invalidText: Problem(.badRequest, error.description)
            }
        case let error as Webhooks.WebhookError:
            if case .unitNotFound = error { Problem(.notFound, error.description) } else { Problem(.badRequest, error.description) }
        case let error as DeadlineError:
            switch error {
            case .unitNotFound, .notFound: Problem(.notFound, error.description)
            case .notOpen: Problem(.conflict, error.description)
            case .invalidText: Problem(.badRequest, error.description)
            }
        case let error as UnitError:
            switch error {
            case .notFound: Problem(.notFound, error.description)
            case .duplicateName, .notStanding, .duplicateCode: Problem(.conflict, error.description)
            case .parentNotAllowed, .provinceWithParent, .parentMissing, .unknownKind, .invalidName, .invalidCode, .invalidMember:
                Problem(.badRequest, error.description)
            }
        case let error as UnitChangeError:
            switch error {
            case .beforeLastChange, .alreadyThere, .unitsStillUnder: Problem(.conflict, error.description)
            case .underItself, .nothingToMerge, .ownSuccessor, .kindsDiffer: Problem(.badRequest, error.description)
            }
        case let error as DomainTextError: Problem(.badRequest, error.description)
        case let error as UnitImportError:
            switch error {
            case .rejected(let problems):
                {
                    var problem = Problem(.unprocessableContent, "nothing was imported: \(problems.count) row(s) to fix, each named in errors")
                    problem.errors = problems.map { .init(line: $0.line, reason: $0.reason) }
                    return problem
                }()
            case .unreadable, .missingColumns, .empty: Problem(.badRequest, error.description)
            }
        case let error as ModelRecordError:
            switch error {
            case .evidenceTooLarge: Problem(.contentTooLarge, error.description)
            case .decisionAlreadyRecorded: Problem(.conflict, error.description)
            case .invalidText, .tooManyResults, .emptyEvidence, .invalidCriteria: Problem(.badRequest, error.description)
            }
        case let error as MemberError:
            switch error {
            case .notFound: Problem(.notFound, error.description)
            case .notServing: Problem(.conflict, error.description)
            case .invalidText: Problem(.badRequest, error.description)
            }
        case let error as OversightError:
            switch error {
            case .notUnder: Problem(.badRequest, "an organisation overseen must lie under the unit that oversees it")
            case .invalidText, .noSubject: Problem(.badRequest, error.description)
            }
        case let error as DocumentError:
            switch error {
            case .unitNotFound, .periodNotFound, .planNotFound, .visitNotFound, .documentNotFound: Problem(.notFound, error.description)
            case .unknownParts, .partTooLong, .partText, .missingSource: Problem(.badRequest, error.description)
            // A state that does not allow it: issued, unsigned, not yet scheduled.
            case .issued, .unsigned, .planNotScheduled, .visitNotDone, .noStatistics, .unitNotStanding, .cannotCorrect:
                Problem(.conflict, error.description)
            }
        case let error as PeriodError:
            if case .campaignNotFound = error { Problem(.notFound, error.description) } else { Problem(.badRequest, error.description) }
        default: nil
        }
    }
}
