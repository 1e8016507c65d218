import Foundation
import LocalPostgres
import PostgresClient

/// Runs PostgreSQL's own pgbench on a script, to measure the ceiling of a statement
/// with no client work at all.
struct Pgbench {
    let executable: String
    let url: String

    static func locate(url: String) throws -> Pgbench {
        let binaries = try PostgresBinaries.locate()
        let path = binaries.directory + "/pgbench"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchError("pgbench is not at \(path); install it: apt-get install -y postgresql-contrib")
        }
        return Pgbench(executable: path, url: url)
    }

    /// Runs `script` with `clients` clients for `seconds` or `transactions` each; returns transactions per second.
    /// `settings` are session settings (`-c name=value` in PGOPTIONS), to match the
    /// session the measured code runs in; `variables` are the script's starting variables (`-D`).
    /// `protocol` is pgbench's `-M`: `prepared` (planned once), or `extended` (unnamed
    /// statements planned on every call, as through a transaction pooler); `url`
    /// another address than the bench database's (a pooler's).
    func run(
        script: String, clients: Int, seconds: Int? = nil, transactionsPerClient: Int? = nil,
        settings: [String: String] = [:], variables: [String: String] = [:], protocol: String = "prepared", url: String? = nil
    ) throws -> Double {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kheo-bench-\(getpid())-\(UUID().uuidString).sql")
        try script.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var arguments = ["-n", "-M", `protocol`, "-c", "\(clients)", "-j", "\(clients)", "-f", file.path]
        if let seconds { arguments += ["-T", "\(seconds)"] }
        if let transactionsPerClient { arguments += ["-t", "\(transactionsPerClient)"] }
        for (name, value) in variables.sorted(by: { $0.key < $1.key }) { arguments += ["-D", "\(name)=\(value)"] }
        arguments.append(url ?? self.url)
        let options = settings.sorted { $0.key < $1.key }.map { "-c \($0.key)=\($0.value)" }.joined(separator: " ")
        let output = try Self.capture(executable, arguments, environment: options.isEmpty ? [:] : ["PGOPTIONS": options])
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
              let tps = Double(line.dropFirst(6).prefix { $0 != " " })
        else {
            throw BenchError("pgbench did not report a rate:\n\(output)")
        }
        return tps
    }

    static func capture(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw BenchError("\(URL(fileURLWithPath: executable).lastPathComponent) failed (status \(process.terminationStatus)):\n\(output)")
        }
        return output
    }

    /// Puts SQL expressions in place of `$1`, `$2`, … (highest first, so `$1` never eats `$10`).
    static func substitute(_ sql: String, _ values: [Int: String]) -> String {
        var text = sql
        for (number, value) in values.sorted(by: { $0.key > $1.key }) {
            text = text.replacingOccurrences(of: "$\(number)", with: value)
        }
        return text
    }

    /// pgbench reads one statement per line unless it ends in a semicolon on its last line.
    static func oneLine(_ sql: String) -> String {
        sql.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
