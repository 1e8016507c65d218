import Foundation

// Build-time generator (run by the EmbedMigrations plugin, never shipped): writes a
// Swift file that embeds schema lines, each from a folder of NNNN_name.sql files and
// its functions/name.sql files.
// Usage: EmbedSQL OUTPUT.swift (TYPE.MEMBER LINE DIRECTORY)...
// e.g. `Migration.engine kheo sql/kheo` defines `Migration.engine`, the `kheo` line.
// The folder is listed when the tool runs, so a file added since the build was
// planned is embedded too. A misnamed file, or a number used twice in one line, fails
// the build with a message naming it.

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(1)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 4, (arguments.count - 1) % 3 == 0 else {
    fail("usage: EmbedSQL OUTPUT.swift (TYPE.MEMBER LINE DIRECTORY)...")
}
let outputPath = arguments[0]

/// A raw string literal whose delimiter cannot occur in the text.
func literal(_ text: String) -> String {
    var longestRun = 0
    var run = 0
    for character in text {
        run = character == "#" ? run + 1 : 0
        longestRun = max(longestRun, run)
    }
    let hashes = String(repeating: "#", count: longestRun + 1)
    return "\(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes)"
}

/// The migrations of one line, in version order.
func entries(line: String, directory: String) -> [(version: Int, name: String, sql: String)] {
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".sql") }.sorted()
    var entries: [(version: Int, name: String, sql: String)] = []
    for fileName in names {
        let stem = fileName.dropLast(".sql".count)
        guard let underscore = stem.firstIndex(of: "_"),
            let version = Int(stem[..<underscore]), version > 0,
            stem[..<underscore].allSatisfy(\.isNumber),
            !stem[stem.index(after: underscore)...].isEmpty
        else {
            fail("sql/\(line)/\(fileName): migration files are named NNNN_description.sql (e.g. 0002_jobs.sql)")
        }
        if let clash = entries.first(where: { $0.version == version }) {
            fail("sql/\(line)/\(fileName): version \(version) of line \(line) is already used by \(clash.name); give it the next free number")
        }
        let path = URL(fileURLWithPath: directory).appendingPathComponent(fileName).path
        guard let data = FileManager.default.contents(atPath: path), let sql = String(data: data, encoding: .utf8) else {
            fail("sql/\(line)/\(fileName): cannot be read as UTF-8 text")
        }
        entries.append((version, String(stem), sql))
    }
    return entries.sorted { $0.version < $1.version }
}

/// The line's functions (`functions/name.sql`): re-applied whenever their text changes.
func functions(line: String, directory: String) -> [(name: String, sql: String)] {
    let folder = URL(fileURLWithPath: directory).appendingPathComponent("functions")
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".sql") }.sorted()
    return names.map { fileName in
        let stem = fileName.dropLast(".sql".count)
        guard !stem.isEmpty, stem.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }) else {
            fail("sql/\(line)/functions/\(fileName): function files are named after what they define, in lower case (e.g. enqueue.sql)")
        }
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(fileName).path),
            let sql = String(data: data, encoding: .utf8)
        else { fail("sql/\(line)/functions/\(fileName): cannot be read as UTF-8 text") }
        guard sql.contains("CREATE OR REPLACE") else {
            fail("sql/\(line)/functions/\(fileName): it is applied again whenever it changes, so it must CREATE OR REPLACE what it defines")
        }
        return ("functions/\(stem)", sql)
    }
}

var source = "// Generated at build time by EmbedSQL from the package's sql/ folders. Do not edit.\n"
var triples = arguments.dropFirst()
var imported = false
while !triples.isEmpty {
    let declaration = triples.removeFirst(), line = triples.removeFirst(), directory = triples.removeFirst()
    let parts = declaration.split(separator: ".")
    guard parts.count == 2 else { fail("\(declaration): name the declaration as TYPE.MEMBER") }
    if parts[0] != "Migration", !imported {
        source += "public import Kheo\n"
        imported = true
    }
    source += """

        extension \(parts[0]) {
            /// The `\(line)` schema line (sql/\(line)/), in version order, as it was when this binary was built.
            public static let \(parts[1]): [Migration] = [

        """
    for entry in entries(line: line, directory: directory) {
        source += "        Migration(line: \"\(line)\", version: \(entry.version), name: \"\(entry.name)\", sql: \(literal(entry.sql))),\n"
    }
    for function in functions(line: line, directory: directory) {
        source += "        Migration(line: \"\(line)\", function: \"\(function.name)\", sql: \(literal(function.sql))),\n"
    }
    source += "    ]\n}\n"
}

do {
    try source.write(toFile: outputPath, atomically: true, encoding: .utf8)
} catch {
    fail("cannot write \(outputPath): \(error)")
}
