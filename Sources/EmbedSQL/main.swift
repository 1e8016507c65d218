import Foundation

// Build-time generator (run by the EmbedMigrations plugin, never shipped):
// writes a Swift file defining `Migration.embedded` (DECLARATION "engine") or
// `DECLARATION.migrations` (a domain's schema type) from NNNN_name.sql files.
// Usage: EmbedSQL OUTPUT.swift DECLARATION (FILE.sql | DIRECTORY)...
// A directory stands for the .sql files in it, read when the tool runs: a file added
// since the build was planned is embedded too.
// A misnamed or duplicate-numbered file fails the build with a message naming it.

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(1)
}

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count >= 2, let outputPath = arguments.first else { fail("usage: EmbedSQL OUTPUT.swift DECLARATION FILE.sql...") }
let declaration = arguments[arguments.startIndex + 1]

var paths: [String] = []
for path in arguments.dropFirst(2) {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        paths += names.filter { $0.hasSuffix(".sql") }.sorted().map { URL(fileURLWithPath: path).appendingPathComponent($0).path }
    } else {
        paths.append(path)
    }
}

var entries: [(version: Int, name: String, sql: String)] = []
for path in paths {
    let fileName = URL(fileURLWithPath: path).lastPathComponent
    let stem = fileName.dropLast(".sql".count)
    guard let underscore = stem.firstIndex(of: "_"),
        let version = Int(stem[..<underscore]), version > 0,
        stem[..<underscore].allSatisfy(\.isNumber),
        !stem[stem.index(after: underscore)...].isEmpty
    else {
        fail("sql/\(fileName): migration files are named NNNN_description.sql (e.g. 0002_jobs.sql)")
    }
    if let clash = entries.first(where: { $0.version == version }) {
        fail("sql/\(fileName): version \(version) is already used by \(clash.name); give it the next free number")
    }
    guard let data = FileManager.default.contents(atPath: path), let sql = String(data: data, encoding: .utf8) else {
        fail("sql/\(fileName): cannot be read as UTF-8 text")
    }
    entries.append((version, String(stem), sql))
}
entries.sort { $0.version < $1.version }

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

var source = declaration == "engine" ? """
    // Generated at build time by EmbedSQL from the package's sql/ folder. Do not edit.

    extension Migration {
        /// Every migration in sql/, in version order, as they were when this binary was built.
        public static let embedded: [Migration] = [

    """ : """
    // Generated at build time by EmbedSQL from the package's sql/ folders. Do not edit.
    public import Kheo

    extension \(declaration) {
        /// The domain's own migrations, in version order, as they were when this binary was built.
        public static let migrations: [Migration] = [

    """
for entry in entries {
    source += "        Migration(version: \(entry.version), name: \"\(entry.name)\", sql: \(literal(entry.sql))),\n"
}
source += "    ]\n}\n"

do {
    try source.write(toFile: outputPath, atomically: true, encoding: .utf8)
} catch {
    fail("cannot write \(outputPath): \(error)")
}
