import DanVan
import HTTPTypes
import PostgresClient

/// What the domain's refusals answer over HTTP: input a person must correct is 400,
/// something missing is 404, a rule of what is stored (a window, a quota, a state) is
/// 409. The domain's own message is the detail: it already says what to do.
enum DomainProblem {
    static func from(_ error: any Error) -> Problem? {
        switch error {
        case let error as ModelError:
            switch error {
            case .unknownField, .invalidText, .invalidWindow: Problem(.badRequest, error.description)
            case .unitNotFound, .campaignNotFound, .modelNotFound: Problem(.notFound, error.description)
            case .unitOutsideCampaign, .noWindow, .outsideWindow, .overQuota, .duplicateRegistration, .transitionNotAllowed:
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
            }
        case let error as InspectionVisits.VisitError:
            switch error {
            case .notFound: Problem(.notFound, error.description)
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
        case let error as DomainTextError: Problem(.badRequest, error.description)
        default: nil
        }
    }
}

extension APIHandlers {
    /// Runs `work` in one transaction, with `Idempotency-Key` when the request has one:
    /// a repeat gets the first response, a reuse with another body 409. Domain refusals
    /// become their problems, and roll everything back, the key's row included.
    func transaction<Response: Codable & Sendable>(
        key: String?, principal: Principal, operation: String, request: some Encodable,
        _ work: @escaping @Sendable (PostgresConnection) throws -> Response
    ) async throws -> Response {
        let key = try APIInput.idempotencyKey(key)
        let canonical = key == nil ? "" : try Idempotency.canonical(request)
        let outcome: Idempotency.Outcome<Response>
        do {
            outcome = try await database.run { pool in
                try pool.transaction { connection in
                    guard let key else { return .fresh(try work(connection)) }
                    return try Idempotency.once(key: key, principal: principal, operation: operation, request: canonical, in: connection) {
                        try work(connection)
                    }
                }
            }
        } catch {
            throw DomainProblem.from(error) ?? error
        }
        guard let response = outcome.response else {
            throw Problem(.conflict, "this Idempotency-Key was used before for another request; use a new key for new work")
        }
        return response
    }
}
