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
    /// True when the args came from our own JSON encoder, so parsing them again to
    /// check them would only cost time (it dominates a bulk enqueue otherwise).
    var argsAreEncoded = false

    public init(kind: String, argsJSON: String = "{}", options: EnqueueOptions = EnqueueOptions()) {
        self.kind = kind
        self.argsJSON = argsJSON
        self.options = options
    }

    /// Encodes `args` with the kind its type declares.
    public init<Args: JobArgs>(_ args: Args, options: EnqueueOptions = EnqueueOptions()) throws(EnqueueError) {
        let data: Data
        do {
            data = try JobRequest.encoder.encode(args)
        } catch {
            throw EnqueueError(.argsNotEncodable(kind: Args.kind, reason: "\(error)"))
        }
        self.init(kind: Args.kind, argsJSON: String(decoding: data, as: UTF8.self), options: options)
        argsAreEncoded = data.first == UInt8(ascii: "{")
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
