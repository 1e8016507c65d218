internal import CLibPQ

/// Where and how to connect: parsed from a `postgresql://` URL or built in code.
///
/// The URL form is libpq's: `postgresql://user:password@host:port/database?key=value`.
/// A host that is an absolute path (percent-encoded in the authority, or given as
/// `?host=/path`) names the directory of a Unix socket. Query keys are libpq's
/// connection keywords (`sslmode`, `application_name`, `connect_timeout`, …); an
/// unknown key is refused here rather than by the server, with its name.
///
/// Parsing never echoes the URL in an error, because the URL may hold a password.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    /// A host name, an IP address, or the absolute path of a Unix socket directory.
    public var host: String?
    public var port: Int?
    public var user: String?
    public var password: String?
    public var database: String?
    /// Seconds libpq waits for a connection before giving up. libpq rounds values below 2 up to 2.
    public var connectTimeout: Int
    /// Further libpq connection keywords, e.g. `sslmode`, `application_name`.
    public var options: [String: String]
    /// Whether a pooler hands this connection a server session per transaction
    /// (`?pool_mode=transaction` in the URL); see `PoolMode`. Not sent to the server.
    public var poolMode: PoolMode = .session

    /// Seconds before a connection attempt gives up, unless the URL says otherwise.
    public static let defaultConnectTimeout = 10

    public init(
        host: String? = nil,
        port: Int? = nil,
        user: String? = nil,
        password: String? = nil,
        database: String? = nil,
        connectTimeout: Int = PostgresConfiguration.defaultConnectTimeout,
        options: [String: String] = [:]
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.options = options
    }

    /// Parses a `postgresql://` (or `postgres://`) URL.
    ///
    /// - Throws: `PostgresError.Code.invalidConfiguration` naming the part that is wrong.
    public init(url: String) throws(PostgresError) {
        self = try URLParser.parse(url)
    }

    /// The target without the password, for logs and messages.
    public var description: String {
        var text = "postgresql://"
        if let user { text += "\(user)@" }
        let socket = host?.hasPrefix("/") == true
        if let host, !socket { text += host }
        if let port, !socket { text += ":\(port)" }
        text += "/\(database ?? "")"
        if let host, socket { text += "?host=\(host)" }
        if poolMode != .session { text += (text.contains("?") ? "&" : "?") + "pool_mode=\(poolMode.rawValue)" }
        return text
    }

    /// The keyword/value pairs handed to `PQconnectdbParams`.
    ///
    /// TCP keepalives are on by default so that a connection whose peer vanished
    /// (network cut, server host lost) is noticed within about a minute instead of
    /// hanging until the kernel's two-hour default.
    var libpqParameters: [(String, String)] {
        var pairs: [(String, String)] = []
        if let host { pairs.append(("host", host)) }
        if let port { pairs.append(("port", String(port))) }
        if let user { pairs.append(("user", user)) }
        if let password { pairs.append(("password", password)) }
        if let database { pairs.append(("dbname", database)) }
        pairs.append(("connect_timeout", String(connectTimeout)))
        let defaults = [
            "fallback_application_name": "kheo",
            "keepalives": "1",
            "keepalives_idle": "30",
            "keepalives_interval": "10",
            "keepalives_count": "3",
        ]
        for (key, value) in defaults where options[key] == nil { pairs.append((key, value)) }
        for (key, value) in options.sorted(by: { $0.key < $1.key }) { pairs.append((key, value)) }
        return pairs
    }

    /// The connection keywords this libpq understands, read once from `PQconndefaults`.
    static let knownKeywords: Set<String> = {
        var names = Set<String>()
        guard let defaults = PQconndefaults() else { return names }
        defer { PQconninfoFree(defaults) }
        var option = defaults
        while let keyword = option.pointee.keyword {
            names.insert(String(cString: keyword))
            option += 1
        }
        return names
    }()
}

extension PostgresConfiguration {
    /// The configuration as a `postgresql://` URL that `init(url:)` reads back the same.
    ///
    /// Includes the password, percent-encoded: hand it to a child process or psql, never
    /// to a log (log `description` instead).
    public var url: String {
        func encode(_ text: String) -> String {
            var encoded = ""
            for byte in text.utf8 {
                let character = Character(Unicode.Scalar(byte))
                if byte < 0x80, character.isLetter || character.isNumber || "-._~".contains(character) {
                    encoded.append(character)
                } else {
                    encoded += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
                }
            }
            return encoded
        }
        var text = "postgresql://"
        if let user {
            text += encode(user)
            if let password { text += ":" + encode(password) }
            text += "@"
        }
        var query: [String] = []
        if let host {
            if host.hasPrefix("/") { query.append("host=" + encode(host)) } else { text += host.contains(":") ? "[\(host)]" : host }
        }
        if let port { query.append("port=\(port)") }
        text += "/" + encode(database ?? "")
        if connectTimeout != Self.defaultConnectTimeout { query.append("connect_timeout=\(connectTimeout)") }
        if poolMode != .session { query.append("pool_mode=\(poolMode.rawValue)") }
        for (key, value) in options.sorted(by: { $0.key < $1.key }) { query.append(encode(key) + "=" + encode(value)) }
        return query.isEmpty ? text : text + "?" + query.joined(separator: "&")
    }
}
