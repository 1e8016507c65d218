public import Foundation
public import PostgresClient

/// What a model is and what came of it, as its file (hồ sơ) holds it: the description,
/// measurable results, evidence, evaluations against the guidance's criteria, the
/// recognition and commendation decisions, and who follows it.
public struct ModelRecord: Sendable, Equatable {
    /// "Thu nhập tăng thêm: 550.000.000 đồng/năm", "Diện tích nhân rộng: 20 ha".
    public struct Result: Sendable, Equatable {
        public let label: String
        public let quantity: Decimal
        public let unit: String

        public init(label: String, quantity: Decimal, unit: String = "") {
            self.label = label
            self.quantity = quantity
            self.unit = unit
        }
    }

    public struct Evidence: Sendable, Equatable {
        public let id: Int64
        public let fileName: String
        public let contentType: String
        public let sizeBytes: Int
        /// Lower-case hex of the file's SHA-256.
        public let sha256: String
    }

    public struct Criterion: Sendable, Equatable, Codable {
        public let criterion: String
        public let score: Decimal
        public let max: Decimal

        public init(criterion: String, score: Decimal, max: Decimal) {
            self.criterion = criterion
            self.score = score
            self.max = max
        }
    }

    public struct Evaluation: Sendable, Equatable {
        public let evaluatorUnitID: Int64
        public let evaluatedOn: CivilDate
        public let guidance: String
        public let criteria: [Criterion]
        public let score: Decimal
        public let maxScore: Decimal
    }

    public struct Decision: Sendable, Equatable {
        public enum Kind: String, Sendable, CaseIterable {
            case recognition, commendation

            /// The state the model reaches by it.
            public var state: Model.State { self == .recognition ? .recognised : .commended }
            public var vietnamese: String { self == .recognition ? "công nhận" : "khen thưởng" }
        }

        public let kind: Kind
        /// Number and symbol, "125-QĐ/HU".
        public let number: String
        public let signedOn: CivilDate
        public let issuerUnitID: Int64
        public let proposerUnitID: Int64?
    }

    public let modelID: Int64
    public let description: String
    public let results: [Result]
    public let evidence: [Evidence]
    public let evaluations: [Evaluation]
    public let decisions: [Decision]
    public let follower: Member?
}

/// Why a model's record was not changed; nothing was stored.
public enum ModelRecordError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidText(DomainTextError)
    case tooManyResults(Int)
    case evidenceTooLarge(bytes: Int)
    case emptyEvidence
    case invalidCriteria(String)
    case decisionAlreadyRecorded(kind: String)

    public static let evidenceLimit = 5 << 20

    public var description: String {
        switch self {
        case .invalidText(let error): error.description
        case .tooManyResults(let count): "\(count) results: a model lists at most 50"
        case .evidenceTooLarge(let bytes): "the file is \(bytes) bytes; evidence is at most \(Self.evidenceLimit) bytes (5 MiB): scan at a lower resolution"
        case .emptyEvidence: "the file is empty"
        case .invalidCriteria(let why): "invalid evaluation: \(why)"
        case .decisionAlreadyRecorded(let kind): "a \(kind) decision is already recorded for this model; a correction is a new decision on a new record"
        }
    }
}
