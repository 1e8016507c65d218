/// What an action acts on, with the units that decide who may: the record's own
/// unit, or for deadlines, models and visits the two units their rules name.
public struct Subject: Sendable, Equatable {
    enum Units: Sendable, Equatable {
        /// Nothing of a unit (queues, periods).
        case none
        /// One unit's record; nil for one of no unit (a job no unit submitted).
        case one(Int64?)
        case deadline(assignee: Int64, issuer: Int64)
        case model(registrant: Int64, campaignUnit: Int64)
        case visit(inspecting: Int64, inspected: Int64)
        /// A document: the unit that issues it, and a unit it concerns that reads it
        /// too (the inspected unit of a conclusion).
        case document(issuer: Int64, concerned: Int64?)
        /// Units renamed, moved, merged or dissolved, and the units they go under or
        /// hand over to.
        case reorganisation(changed: [Int64], destinations: [Int64])
    }

    /// What a refusal calls it ("deadline"), and its id.
    public let what: String
    public let id: Int64
    let units: Units

    /// Nothing of any unit: queues, periods.
    public static let global = Subject(what: "record", id: 0, units: .none)

    /// A unit itself, or a new record for it (`what` names the record in a refusal).
    public static func unit(_ id: Int64, what: String = "unit") -> Subject {
        Subject(what: what, id: id, units: .one(id))
    }

    /// A record that belongs to `unit`: a notification, an activity, a report, a plan.
    public static func record(_ what: String, _ id: Int64, unit: Int64?) -> Subject {
        Subject(what: what, id: id, units: .one(unit))
    }

    public static func deadline(_ deadline: Deadline) -> Subject {
        .deadline(deadline.id, assignee: deadline.unitID, issuer: deadline.issuerUnitID)
    }

    public static func deadline(_ id: Int64, assignee: Int64, issuer: Int64) -> Subject {
        Subject(what: "deadline", id: id, units: .deadline(assignee: assignee, issuer: issuer))
    }

    public static func model(_ id: Int64, registrant: Int64, campaignUnit: Int64) -> Subject {
        Subject(what: "model", id: id, units: .model(registrant: registrant, campaignUnit: campaignUnit))
    }

    public static func visit(_ id: Int64, inspecting: Int64, inspected: Int64) -> Subject {
        Subject(what: "inspection visit", id: id, units: .visit(inspecting: inspecting, inspected: inspected))
    }

    public static func document(_ id: Int64, issuer: Int64, concerned: Int64? = nil) -> Subject {
        Subject(what: "document", id: id, units: .document(issuer: issuer, concerned: concerned))
    }

    public static func document(_ document: StoredDocument) -> Subject {
        .document(document.id, issuer: document.unitID, concerned: document.concernedUnitID)
    }

    /// A change to the tree: `changed` units renamed, moved, merged or dissolved,
    /// `destinations` the parents and successors they go to.
    public static func reorganisation(of changed: [Int64], into destinations: [Int64]) -> Subject {
        Subject(what: "unit", id: changed.first ?? 0, units: .reorganisation(changed: changed, destinations: destinations))
    }

    /// The units whose subtrees may see the record.
    var visibleFrom: [Int64] {
        switch units {
        case .none: []
        case .one(let unit): unit.map { [$0] } ?? []
        case .deadline(let assignee, let issuer): [assignee, issuer]
        case .model(let registrant, _): [registrant]
        case .visit(let inspecting, let inspected): [inspecting, inspected]
        case .reorganisation(let changed, _): changed
        case .document(let issuer, let concerned): [issuer] + (concerned.map { [$0] } ?? [])
        }
    }

    var allUnits: [Int64] {
        switch units {
        case .model(let registrant, let campaign): [registrant, campaign]
        case .reorganisation(let changed, let destinations): changed + destinations
        default: visibleFrom
        }
    }
}
