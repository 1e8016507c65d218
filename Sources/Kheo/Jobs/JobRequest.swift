public import Foundation

/// A job to insert, with its args already encoded as a JSON object.
///
/// Typed producers build one from a `JobArgs` value; the CLI and other untyped
/// callers build one from JSON text.
public struct JobRequest: Sendable, Equatable {
    public var kind: String
    /// A JSON object, as UTF-8 text.
    public var argsJSON: String
    public var options: EnqueueOptions
    /// The key the job counts under in a queue limited or fair by key (see
    /// `QueueLimits`); `nil` for none. Typed requests take it from `JobArgs.partitionKey`.
    public var partitionKey: String?
    /// True when the args came from our own JSON encoder, so parsing them again to
    /// check them would only cost time (it dominates a bulk enqueue otherwise).
    var argsAreEncoded = false

    public init(kind: String, argsJSON: String = "{}", options: EnqueueOptions = EnqueueOptions(), partitionKey: String? = nil) {
        self.kind = kind
        self.argsJSON = argsJSON
        self.options = options
        self.partitionKey = partitionKey
    }

    /// Encodes `args` with the kind its type declares.
    public init<Args: JobArgs>(_ args: Args, options: EnqueueOptions = EnqueueOptions()) throws(EnqueueError) {
        let data: Data
        do {
            data = try JobRequest.encoder.encode(args)
        } catch {
            throw EnqueueError(.argsNotEncodable(kind: Args.kind, reason: "\(error)"))
        }
        self.init(kind: Args.kind, argsJSON: String(decoding: data, as: UTF8.self), options: options, partitionKey: args.partitionKey)
        argsAreEncoded = data.first == UInt8(ascii: "{")
    }

    /// Args a JSON encoder produced from a JSON object value (as the HTTP API does from a
    /// body it decoded): they parse by construction, so only their size is checked, and
    /// the escaped NUL that PostgreSQL's jsonb cannot store.
    public init(kind: String, encodedObject data: Data, options: EnqueueOptions = EnqueueOptions()) throws(EnqueueError) {
        guard data.first == UInt8(ascii: "{"), let text = Self.utf8Text(data) else { throw EnqueueError(.argsNotObject) }
        if Self.containsEscapedNUL(data) {
            throw EnqueueError(.argsMalformed(reason: #"it contains \u0000, which PostgreSQL's jsonb cannot store"#))
        }
        self.init(kind: kind, argsJSON: text, options: options)
        argsAreEncoded = true
    }

    /// The text of UTF-8 bytes, or nil when they are not UTF-8. ASCII (as most args
    /// are, and `{}` always) skips the standard library's validator, which runs
    /// unspecialised and costs more than the rest of a job's enqueue.
    static func utf8Text(_ data: Data) -> String? {
        data.withUnsafeBytes({ $0.allSatisfy { $0 < 0x80 } }) ? String(decoding: data, as: UTF8.self) : String(validating: data, as: UTF8.self)
    }

    /// Whether JSON text holds `\u0000`, scanning bytes (no string search per job).
    static func containsEscapedNUL(_ data: Data) -> Bool {
        let pattern: [UInt8] = Array(#"\u0000"#.utf8)
        guard data.count >= pattern.count else { return false }
        return data.withUnsafeBytes { bytes in
            var index = 0
            while index <= bytes.count - pattern.count {
                if bytes[index] == UInt8(ascii: "\\") {
                    if bytes[index + 1] == UInt8(ascii: "\\") {
                        index += 2
                        continue
                    }
                    if (0..<pattern.count).allSatisfy({ bytes[index + $0] == pattern[$0] }) { return true }
                }
                index += 1
            }
            return false
        }
    }

    /// Builds a request from raw bytes, refusing what is not UTF-8 before anything else.
    public init(kind: String, argsBytes: Data, options: EnqueueOptions = EnqueueOptions()) throws(EnqueueError) {
        guard let text = String(validating: argsBytes, as: UTF8.self) else {
            throw EnqueueError(.argsNotUTF8)
        }
        self.init(kind: kind, argsJSON: text, options: options)
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()
}
