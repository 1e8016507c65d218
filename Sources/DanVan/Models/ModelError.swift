/// Why a registration or a transition was refused; nothing was stored.
public enum ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownField(String)
    /// Not an entry of the campaign's own field list (empty: none was given).
    case unknownCampaignField(String, known: [String])
    /// The entry is filed under another group than the `field` given.
    case campaignFieldGroup(String, group: String)
    case unitNotFound(Int64)
    case notFound(Int64)
    case campaignNotFound(Int64)
    case noWindow(unitKind: OrgUnit.Kind, campaign: String)
    case outsideWindow(on: CivilDate, opens: CivilDate, closes: CivilDate)
    case duplicateRegistration(title: String, unit: String)
    case invalidText(DomainTextError)
    case transitionNotAllowed(from: Model.State, to: Model.State)
    case invalidWindow(String)
    /// The unit did not stand on the registration day (merged, dissolved, or not yet created).
    case unitNotStanding(unit: String, on: CivilDate)

    public var description: String {
        switch self {
        case .unknownField(let text):
            "unknown field \"\(text)\": use economy, culture_society, defence_security or political_system"
        case .unitNotFound(let id): "unit \(id) does not exist"
        case .unknownCampaignField(let code, let known):
            (code.isEmpty ? "this campaign registers models in its own fields" : "\"\(code.prefix(60))\" is not one of this campaign's fields")
                + ": give campaignField, one of \(known.joined(separator: ", "))"
        case .campaignFieldGroup(let code, let group): "the campaign's field \"\(code)\" is filed under \(group): give that as the field"
        case .notFound(let id): "model \(id) does not exist"
        case .campaignNotFound(let id): "no campaign \(id) covers this unit"
        case .noWindow(let kind, let campaign): "the campaign \"\(campaign)\" has no registration window for a \(kind.rawValue)"
        case .outsideWindow(let day, let opens, let closes):
            "registration on \(day) is outside the window, \(opens) to \(closes)"
        case .duplicateRegistration(let title, let unit): "\(unit) has already registered \"\(title)\" in this campaign"
        case .invalidText(let error): error.description
        case .transitionNotAllowed(let from, let to):
            "a model that is \(from.rawValue) cannot become \(to.rawValue)" + (from.next.isEmpty ? "" : "; next: \(from.next.map(\.rawValue).sorted().joined(separator: " or "))")
        case .invalidWindow(let reason): "invalid registration window: \(reason)"
        case .unitNotStanding(let unit, let day):
            "\(unit) did not stand on \(day): register the model for the unit standing then (after a merger, its successor)"
        }
    }
}
