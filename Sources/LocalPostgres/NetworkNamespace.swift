public import Foundation

/// A network namespace joined to this one by a veth pair: a "host" of its own for a
/// worker, with addresses only on this machine (`10.N.i.2` inside, `10.N.i.1` on this
/// side, N from the process's pid). Cutting the link (`cut()`) is a network
/// failure, not a kill: the processes inside keep running and their connections hang.
/// Needs root (`ip netns`); deleted by `destroy()` or when the process that made it
/// ends. Tests and the bench (`kheo bench --only hosts`) run worker nodes in them.
public final class NetworkNamespace: Sendable {
    public let name: String
    /// This side's address on the link: where processes inside reach the host.
    public let hostAddress: String
    /// The address inside the namespace.
    public let innerAddress: String
    let hostLink: String

    static let ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/sbin/ip"

    /// Makes namespace number `index` (1…250) of this process.
    public static func create(index: Int) throws -> NetworkNamespace {
        guard geteuid() == 0 else {
            throw LocalClusterError(.commandFailed, "network namespaces need root (ip netns)", hint: "run as root, as CI does")
        }
        let pid = Int(getpid())
        let subnet = "10.\(100 + pid % 150).\(index)"
        let namespace = NetworkNamespace(
            name: "kheo-\(pid)-\(index)", hostAddress: subnet + ".1", innerAddress: subnet + ".2",
            // Interface names are at most 15 bytes.
            hostLink: "kh\(pid % 100_000)h\(index)"
        )
        let innerLink = "kh\(pid % 100_000)n\(index)"
        _ = try? run([ip, "netns", "del", namespace.name])
        try run([ip, "netns", "add", namespace.name])
        try namespace.removeWhenProcessEnds(pid)
        try run([ip, "link", "add", namespace.hostLink, "type", "veth", "peer", "name", innerLink])
        try run([ip, "link", "set", innerLink, "netns", namespace.name])
        try run([ip, "addr", "add", namespace.hostAddress + "/24", "dev", namespace.hostLink])
        try run([ip, "link", "set", namespace.hostLink, "up"])
        try namespace.inside([ip, "addr", "add", namespace.innerAddress + "/24", "dev", innerLink])
        try namespace.inside([ip, "link", "set", innerLink, "up"])
        try namespace.inside([ip, "link", "set", "lo", "up"])
        return namespace
    }

    private init(name: String, hostAddress: String, innerAddress: String, hostLink: String) {
        self.name = name
        self.hostAddress = hostAddress
        self.innerAddress = innerAddress
        self.hostLink = hostLink
    }

    /// Takes the link down: packets stop both ways, nothing is closed or reset.
    public func cut() throws { try Self.run([Self.ip, "link", "set", hostLink, "down"]) }

    /// Brings the link back.
    public func restore() throws { try Self.run([Self.ip, "link", "set", hostLink, "up"]) }

    /// Deletes the namespace and with it the link. Processes inside should be gone first.
    public func destroy() {
        _ = try? Self.run([Self.ip, "link", "del", hostLink])
        _ = try? Self.run([Self.ip, "netns", "del", name])
    }

    /// The command line that runs `arguments` inside the namespace.
    public func command(_ arguments: [String]) -> [String] {
        [Self.ip, "netns", "exec", name] + arguments
    }

    private func inside(_ arguments: [String]) throws { try Self.run(command(arguments)) }

    private func removeWhenProcessEnds(_ pid: Int) throws {
        let script = "while kill -0 \(pid) 2>/dev/null; do sleep 1; done; \(Self.ip) link del \(hostLink) 2>/dev/null; \(Self.ip) netns del \(name) 2>/dev/null"
        _ = try Subprocess.spawn(["/bin/sh", "-c", script], environment: CommandRunner.cleanEnvironment(), outputPath: nil, wait: false)
    }

    private static func run(_ arguments: [String]) throws {
        try CommandRunner.check(arguments[0], Array(arguments.dropFirst()))
    }
}
