#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Where webhook deliveries may go: anywhere on the public internet, nowhere inside.
///
/// A unit chooses its endpoint's URL, so without this a unit's official could make the
/// workers POST to the database's host, a cloud metadata service, or any port on the
/// private network, and read the delivery counts as a port scanner. Before every
/// delivery the host is resolved, and the delivery is refused unless every address it
/// resolves to is public: not loopback, private, carrier-grade NAT, link-local (the
/// metadata services live there), unique-local, multicast, reserved, or an IPv4 address
/// hiding in an IPv6 one (mapped, NAT64). The check resolves with the system's resolver,
/// so every textual form of an address (`127.1`, `0x7f000001`, `2130706433`,
/// `[::ffff:127.0.0.1]`) is judged by the address it means. URLs with a user or
/// password are refused, and redirects are never followed (`WebhookJobs`).
///
/// An operator may allow named hosts or address ranges (`KHEO_WEBHOOK_ALLOW`, a comma
/// separated list such as `hooks.internal, 10.20.0.0/16, 127.0.0.1/32`): a receiver
/// inside the network on purpose, or a test's receiver on loopback.
public struct WebhookEgress: Sendable {
    /// Why a URL may not be delivered to. Shown to the unit as "refused".
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case notHTTP
        case userInfo
        case unresolvable
        case internalAddress

        public var description: String {
            switch self {
            case .notHTTP: "refused: only http and https URLs are delivered to"
            case .userInfo: "refused: URLs with a user name or password are not delivered to"
            case .unresolvable: "failed: the host could not be resolved"
            case .internalAddress: "refused: the endpoint's address is not one webhooks may reach"
            }
        }
    }

    /// The environment variable an operator sets to allow hosts and ranges.
    public static let allowVariable = "KHEO_WEBHOOK_ALLOW"

    let allowedHosts: Set<String>
    let allowedRanges: [AddressRange]

    /// Public addresses only, nothing allowed besides.
    public static let publicOnly = WebhookEgress(hosts: [], ranges: [])

    private init(hosts: Set<String>, ranges: [AddressRange]) {
        allowedHosts = hosts
        allowedRanges = ranges
    }

    /// `allow`: host names and CIDR ranges (`10.0.0.0/8`, `fd00::/8`, or one address).
    public init(allow: [String] = []) throws {
        var hosts = Set<String>()
        var ranges: [AddressRange] = []
        for entry in allow.map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            if let range = AddressRange(parsing: entry) {
                ranges.append(range)
            } else if entry.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) {
                hosts.insert(entry.lowercased())
            } else {
                throw ConfigurationError(entry: entry)
            }
        }
        allowedHosts = hosts
        allowedRanges = ranges
    }

    /// The policy the operator configured in the environment.
    public static func fromEnvironment() throws -> WebhookEgress {
        try WebhookEgress(allow: (ProcessInfo.processInfo.environment[allowVariable] ?? "").split(separator: ",").map(String.init))
    }

    public struct ConfigurationError: Error, CustomStringConvertible {
        let entry: String
        public var description: String {
            "\(WebhookEgress.allowVariable): \"\(entry)\" is neither a host name nor an address range such as 10.0.0.0/8"
        }
    }

    /// Throws unless a delivery to `url` is allowed now.
    public func check(_ url: String) throws(Refusal) {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = parts.host, !host.isEmpty
        else { throw .notHTTP }
        guard parts.user == nil, parts.password == nil, !(parts.percentEncodedHost ?? "").contains("@") else { throw .userInfo }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if allowedHosts.contains(bare.lowercased()) { return }
        let addresses = Self.resolve(bare)
        guard !addresses.isEmpty else { throw .unresolvable }
        for address in addresses where !allowedRanges.contains(where: { $0.contains(address) }) {
            guard address.isPublic else { throw .internalAddress }
        }
    }

    /// Every address `host` resolves to (numeric forms included), as 4 or 16 bytes.
    static func resolve(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let raw = entry.pointee.ai_addr {
                switch Int32(entry.pointee.ai_family) {
                case AF_INET:
                    raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { socket in
                        var address = socket.pointee.sin_addr
                        addresses.append(IPAddress(bytes: withUnsafeBytes(of: &address) { Array($0) }))
                    }
                case AF_INET6:
                    raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { socket in
                        var address = socket.pointee.sin6_addr
                        addresses.append(IPAddress(bytes: withUnsafeBytes(of: &address) { Array($0) }))
                    }
                default: break
                }
            }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }
}

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address.
struct IPAddress: Sendable, Equatable {
    let bytes: [UInt8]

    /// The IPv4 address an IPv6 one carries (mapped `::ffff:a.b.c.d`, NAT64
    /// `64:ff9b::a.b.c.d`, the deprecated compatible `::a.b.c.d`, which also covers
    /// `::` and `::1` as 0.0.0.0 and 0.0.0.1), judged as itself.
    var embeddedIPv4: IPAddress? {
        guard bytes.count == 16 else { return nil }
        let head = Array(bytes[0..<12])
        let mapped: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]
        let nat64: [UInt8] = [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0]
        guard head == mapped || head == nat64 || head.allSatisfy({ $0 == 0 }) else { return nil }
        return IPAddress(bytes: Array(bytes[12..<16]))
    }

    /// Whether the address is on the public internet.
    var isPublic: Bool {
        if let inner = embeddedIPv4 { return inner.isPublic }
        return !Self.internalRanges.contains { $0.contains(self) }
    }

    /// Loopback, private, shared, link-local, unique-local, multicast, reserved,
    /// documentation and benchmark ranges: nothing a webhook has business reaching.
    static let internalRanges: [AddressRange] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128", "::1/128", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    ].map { AddressRange(parsing: $0)! }
}

/// An address and a prefix length: `10.0.0.0/8`, `fe80::/10`, or one address.
struct AddressRange: Sendable, Equatable {
    let base: IPAddress
    let prefix: Int

    init?(parsing text: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let address = Self.numeric(parts[0]) else { return nil }
        let bits = address.bytes.count * 8
        let prefix = parts.count == 2 ? Int(parts[1]) : bits
        guard let prefix, (0...bits).contains(prefix) else { return nil }
        base = address
        self.prefix = prefix
    }

    func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == base.bytes.count else { return false }
        var left = prefix
        for (a, b) in zip(address.bytes, base.bytes) where left > 0 {
            let mask: UInt8 = left >= 8 ? 0xff : ~(0xff >> UInt8(left))
            guard a & mask == b & mask else { return false }
            left -= 8
        }
        return true
    }

    /// A dotted-quad or IPv6 address written in full, nothing resolved.
    private static func numeric(_ text: String) -> IPAddress? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return IPAddress(bytes: withUnsafeBytes(of: &v4) { Array($0) }) }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return IPAddress(bytes: withUnsafeBytes(of: &v6) { Array($0) }) }
        return nil
    }
}
