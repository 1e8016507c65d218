/// Parses libpq-style connection URLs into a `PostgresConfiguration`.
///
/// Written by hand rather than with Foundation's `URLComponents` because PostgreSQL
/// URLs carry things generic URL parsers reject: percent-encoded socket paths as the
/// host, several comma-separated hosts, and an empty host.
enum URLParser {
    static func parse(_ url: String) throws(PostgresError) -> PostgresConfiguration {
        let schemes = ["postgresql://", "postgres://"]
        guard let scheme = schemes.first(where: { url.lowercased().hasPrefix($0) }) else {
            throw invalid("the connection URL must start with postgresql:// (or postgres://)")
        }
        var rest = Substring(url.dropFirst(scheme.count))

        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }

        var config = PostgresConfiguration()
        var authority = rest
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                config.user = try nonEmpty(decode(userInfo[..<colon], part: "user name"))
                config.password = try decode(userInfo[userInfo.index(after: colon)...], part: "password")
            } else {
                config.user = try nonEmpty(decode(userInfo, part: "user name"))
            }
        }
        try parseHosts(authority, into: &config)
        config.database = try nonEmpty(decode(path, part: "database name"))
        try parseQuery(query, into: &config)
        return config
    }

    private static func parseHosts(_ authority: Substring, into config: inout PostgresConfiguration) throws(PostgresError) {
        guard !authority.isEmpty else { return }
        var hosts: [String] = []
        var ports: [Int] = []
        for spec in authority.split(separator: ",", omittingEmptySubsequences: false) {
            var hostPart = spec
            var portPart: Substring?
            if spec.hasPrefix("[") {
                guard let close = spec.firstIndex(of: "]") else {
                    throw invalid("an IPv6 host in the connection URL is missing its closing ']'")
                }
                hostPart = spec[spec.index(after: spec.startIndex)..<close]
                let after = spec[spec.index(after: close)...]
                if after.hasPrefix(":") { portPart = after.dropFirst() } else if !after.isEmpty {
                    throw invalid("unexpected text after an IPv6 host in the connection URL")
                }
            } else if let colon = spec.lastIndex(of: ":") {
                hostPart = spec[..<colon]
                portPart = spec[spec.index(after: colon)...]
            }
            hosts.append(try decode(hostPart, part: "host"))
            if let portPart { ports.append(try port(portPart)) }
        }
        if hosts.contains(where: { !$0.isEmpty }) { config.host = hosts.joined(separator: ",") }
        if ports.count == 1 { config.port = ports[0] } else if ports.count > 1 {
            config.options["port"] = ports.map(String.init).joined(separator: ",")
        }
    }

    private static func parseQuery(_ query: Substring, into config: inout PostgresConfiguration) throws(PostgresError) {
        for pair in query.split(separator: "&") {
            guard let equals = pair.firstIndex(of: "=") else {
                throw invalid("a connection URL parameter has no '=' (write key=value)")
            }
            let key = try decode(pair[..<equals], part: "parameter name")
            let value = try decode(pair[pair.index(after: equals)...], part: "parameter '\(key)'")
            switch key {
            case "host": config.host = value
            case "port": config.port = try port(Substring(value))
            case "user": config.user = value
            case "password": config.password = value
            case "dbname": config.database = value
            case "connect_timeout":
                guard let seconds = Int(value), seconds >= 0 else {
                    throw invalid("connect_timeout must be a whole number of seconds")
                }
                config.connectTimeout = seconds
            case "pool_mode":
                guard let mode = PoolMode(rawValue: value) else {
                    throw invalid("pool_mode must be 'session' or 'transaction' (PgBouncer's pool mode in front of the server)")
                }
                config.poolMode = mode
            default:
                guard PostgresConfiguration.knownKeywords.contains(key) else {
                    throw invalid("unknown connection parameter '\(key)'; see libpq's list of connection keywords")
                }
                config.options[key] = value
            }
        }
    }

    private static func port(_ text: Substring) throws(PostgresError) -> Int {
        guard let number = Int(text), (1...65535).contains(number) else {
            throw invalid("the port in the connection URL must be a number from 1 to 65535")
        }
        return number
    }

    private static func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }

    /// Percent-decodes one part of the URL, as UTF-8.
    private static func decode(_ text: Substring, part: String) throws(PostgresError) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw invalid("the \(part) in the connection URL has a malformed %-escape")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw invalid("the \(part) in the connection URL is not valid UTF-8 once decoded")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func invalid(_ message: String) -> PostgresError {
        PostgresError(
            code: .invalidConfiguration,
            message: message,
            hint: "the form is postgresql://user:password@host:port/database?sslmode=…; percent-encode @ : / ? # in the password"
        )
    }
}
