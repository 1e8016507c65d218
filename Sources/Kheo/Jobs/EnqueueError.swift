/// Why a job was refused before anything was written. Each case says what to fix.
public struct EnqueueError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case invalidKind(String)
        case invalidQueue(String)
        case priorityOutOfRange(Int)
        case maxAttemptsOutOfRange(Int)
        case invalidTag(String)
        case argsNotUTF8
        case argsMalformed(reason: String)
        case argsNotObject
        case argsTooLarge(bytes: Int, limit: Int)
        case argsNotEncodable(kind: String, reason: String)
        case invalidUniqueOptions(String)
        case invalidPartitionKey(String)
    }

    public let reason: Reason

    public init(_ reason: Reason) { self.reason = reason }

    public var description: String {
        switch reason {
        case .invalidKind(let kind):
            "invalid job kind \(Self.show(kind)): use 1 to 128 letters, digits, and . _ : - (e.g. report.generate)"
        case .invalidQueue(let queue):
            "invalid queue name \(Self.show(queue)): use 1 to 128 letters, digits, and . _ - (e.g. reports)"
        case .priorityOutOfRange(let priority):
            "priority \(priority) is out of range: use 0 (runs first) to 9 (runs last)"
        case .maxAttemptsOutOfRange(let attempts):
            "max attempts \(attempts) is out of range: use 1 to \(JobValidation.maxAttemptsLimit)"
        case .invalidTag(let tag):
            "invalid tag \(Self.show(tag)): a tag is 1 to 255 characters, and a job has at most \(JobValidation.maxTags)"
        case .argsNotUTF8:
            "job args are not valid UTF-8: send JSON text encoded as UTF-8"
        case .argsMalformed(let reason):
            "job args are not valid JSON: \(reason)"
        case .argsNotObject:
            #"job args must be a JSON object, e.g. {"unit": 12}; wrap a list or a value in an object"#
        case .argsTooLarge(let bytes, let limit):
            "job args are \(bytes) bytes, over the limit of \(limit): store large data in a table and pass its key"
        case .argsNotEncodable(let kind, let reason):
            "the args of \(kind) could not be encoded as JSON: \(reason)"
        case .invalidUniqueOptions(let reason):
            "invalid unique options: \(reason)"
        case .invalidPartitionKey(let key):
            "invalid partition key \(Self.show(key)): a key is 1 to 256 characters without NUL (e.g. a unit's id)"
        }
    }

    /// Quotes a user-supplied name for a message, cut short and with controls escaped.
    private static func show(_ value: String) -> String {
        let cut = value.count > 60 ? String(value.prefix(60)) + "…" : value
        return "\"" + cut.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }.joined() + "\""
    }
}
