import Foundation

/// The rules a job must meet before it is inserted, checked in the producer so a bad
/// job is refused with a clear reason and nothing is written.
enum JobValidation {
    static let maxAttemptsLimit = 1000
    static let maxTags = 32
    static let maxNameLength = 128

    static func check(_ request: JobRequest, argsLimit: Int) throws(EnqueueError) {
        guard isName(request.kind, allowColon: true) else { throw EnqueueError(.invalidKind(request.kind)) }
        try checkQueue(request.options.queue)
        guard EnqueueOptions.priorities.contains(request.options.priority) else {
            throw EnqueueError(.priorityOutOfRange(request.options.priority))
        }
        guard (1...maxAttemptsLimit).contains(request.options.maxAttempts) else {
            throw EnqueueError(.maxAttemptsOutOfRange(request.options.maxAttempts))
        }
        if request.options.tags.count > maxTags {
            throw EnqueueError(.invalidTag(request.options.tags[maxTags]))
        }
        for tag in request.options.tags where tag.isEmpty || tag.count > 255 || tag.utf8.contains(0) {
            throw EnqueueError(.invalidTag(tag))
        }
        if let unique = request.options.unique { try checkUnique(unique) }
        if let key = request.partitionKey { try checkPartitionKey(key) }
        try checkArgs(of: request, limit: argsLimit)
    }

    /// The column's own check (1 to 256 characters), and no NUL, which text cannot hold.
    static func checkPartitionKey(_ key: String) throws(EnqueueError) {
        guard (1...256).contains(key.count), !key.utf8.contains(0) else { throw EnqueueError(.invalidPartitionKey(key)) }
    }

    static func checkUnique(_ unique: UniqueOptions) throws(EnqueueError) {
        if let period = unique.byPeriod, period < .seconds(1) {
            throw EnqueueError(.invalidUniqueOptions("the period is \(period); use one second or more, or none"))
        }
        if let unfinished = unique.alsoWhen.first(where: { !$0.isFinal }) {
            throw EnqueueError(.invalidUniqueOptions(
                "\(unfinished.rawValue) is always a unique state; alsoWhen takes only completed, cancelled and discarded"))
        }
        for field in unique.byArgs ?? [] where field.isEmpty || field.utf8.count > 255 || field.utf8.contains(0) {
            throw EnqueueError(.invalidUniqueOptions("args field names are 1 to 255 characters without NUL"))
        }
        if let extra = unique.extra, extra.utf8.contains(0) || extra.utf8.count > 1024 {
            throw EnqueueError(.invalidUniqueOptions("the extra key text is at most 1024 bytes without NUL"))
        }
    }

    /// The args alone: their size, and their shape unless our own encoder wrote them.
    static func checkArgs(of request: JobRequest, limit: Int) throws(EnqueueError) {
        if request.argsAreEncoded {
            let size = request.argsJSON.utf8.count
            guard size <= limit else { throw EnqueueError(.argsTooLarge(bytes: size, limit: limit)) }
        } else {
            try checkArgs(request.argsJSON, limit: limit)
        }
    }

    static func checkQueue(_ queue: String) throws(EnqueueError) {
        guard isName(queue, allowColon: false) else { throw EnqueueError(.invalidQueue(queue)) }
    }

    /// Letters, digits, `.`, `_`, `-` (and `:` in kinds): safe in logs, URLs and metrics labels.
    static func isName(_ name: String, allowColon: Bool) -> Bool {
        guard (1...maxNameLength).contains(name.utf8.count) else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            case UInt8(ascii: ":"): allowColon
            default: false
            }
        }
    }

    /// Parses the args once to refuse what PostgreSQL would refuse less clearly:
    /// malformed JSON, a non-object, NUL characters (jsonb cannot store them), excess size.
    static func checkArgs(_ json: String, limit: Int) throws(EnqueueError) {
        let size = json.utf8.count
        guard size <= limit else { throw EnqueueError(.argsTooLarge(bytes: size, limit: limit)) }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
        } catch {
            throw EnqueueError(.argsMalformed(reason: (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "it does not parse"))
        }
        guard parsed is [String: Any] else { throw EnqueueError(.argsNotObject) }
        if json.contains("\\u0000") {
            throw EnqueueError(.argsMalformed(reason: #"it contains \u0000, which PostgreSQL's jsonb cannot store"#))
        }
    }
}
