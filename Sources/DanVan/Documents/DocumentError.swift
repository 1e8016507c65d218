/// Why a document could not be drafted, edited or issued; nothing was changed.
public enum DocumentError: Error, Sendable, Equatable, CustomStringConvertible {
    case unitNotFound(Int64)
    case periodNotFound(Int64)
    case planNotFound(Int64)
    case visitNotFound(Int64)
    case documentNotFound(Int64)
    /// The plan has no timetable yet (submitted) or could not be scheduled.
    case planNotScheduled(plan: Int64, status: String)
    /// A conclusion follows the delegation's findings, which are not recorded yet.
    case visitNotDone(Int64)
    /// No statistics snapshot has figures for the unit and period yet.
    case noStatistics(unit: Int64, period: Int64)
    /// The unit did not stand on the period's last day.
    case unitNotStanding(unit: Int64, lastDay: CivilDate, successor: Int64?)
    /// An issued document never changes.
    case issued(id: Int64, number: String)
    /// The parts an edit names that the document does not have.
    case unknownParts([String], known: [String])
    case partTooLong(key: String, length: Int, limit: Int)
    case partText(key: String, why: String)
    /// A document is issued only once its signer is named (part "signer").
    case unsigned(Int64)
    /// A correction must name an issued document of the same kind and unit.
    case cannotCorrect(Int64, why: String)
    /// The document's kind needs a source the request did not give.
    case missingSource(kind: DocumentKind, needs: String)

    public var description: String {
        switch self {
        case .unitNotFound(let id): "unit \(id) does not exist"
        case .periodNotFound(let id): "period \(id) does not exist: see /v1/periods"
        case .planNotFound(let id): "inspection plan \(id) does not exist"
        case .visitNotFound(let id): "inspection visit \(id) does not exist"
        case .documentNotFound(let id): "document \(id) does not exist"
        case .planNotScheduled(let plan, let status):
            "inspection plan \(plan) is \(status): its documents are drafted once the scheduler has fitted its visits"
        case .visitNotDone(let id):
            "inspection visit \(id) has no findings yet: record them (POST /v1/inspections/visits/\(id)/findings) before drafting the conclusion"
        case .noStatistics(let unit, let period):
            "no statistics for unit \(unit) and period \(period) yet: run statistics.regenerate first"
        case .unitNotStanding(let unit, let lastDay, let successor):
            "unit \(unit) did not stand on \(lastDay), the period's last day"
                + (successor.map { ": its figures for the period are in the documents of unit \($0), its successor" } ?? "")
        case .issued(let id, let number):
            "document \(id) was issued as \(number) and never changes: draft a correction that names it instead"
        case .unknownParts(let keys, let known):
            "the document has no part \(keys.sorted().joined(separator: ", ")); its editable parts are \(known.sorted().joined(separator: ", "))"
        case .partTooLong(let key, let length, let limit): "part \(key) is \(length) characters; at most \(limit)"
        case .partText(let key, let why): "part \(key): \(why)"
        case .unsigned(let id): "document \(id) names no signer: set its part \"signer\" to the name of the official who signs it, then issue it"
        case .cannotCorrect(let id, let why): "document \(id) cannot be corrected: \(why)"
        case .missingSource(let kind, let needs): "a \(kind.rawValue) is drafted from a \(needs): give its id"
        }
    }
}
