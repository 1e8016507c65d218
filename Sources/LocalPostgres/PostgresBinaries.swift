import Foundation

/// The PostgreSQL server programs a local cluster needs, found on this machine.
///
/// Debian keeps them out of `PATH` (in `/usr/lib/postgresql/VERSION/bin`), so they are
/// looked for, in order: `$KHEO_PG_BINDIR`, `pg_config --bindir`, the newest
/// `/usr/lib/postgresql/*/bin`, `/usr/local/pgsql/bin`, then `PATH`.
public struct PostgresBinaries: Sendable {
    public let directory: String

    public var initdb: String { directory + "/initdb" }
    public var pgCtl: String { directory + "/pg_ctl" }
    public var psql: String {
        let beside = directory + "/psql"
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : "/usr/bin/psql"
    }

    static let required = ["initdb", "pg_ctl", "postgres"]

    /// - Parameter searchSystemDirectories: also look where distributions install them
    ///   (pg_config, /usr/lib/postgresql); off only to test the error.
    public static func locate(environment: [String: String]? = nil, searchSystemDirectories: Bool = true) throws(LocalClusterError) -> PostgresBinaries {
        let candidates = candidateDirectories(environment: environment ?? ProcessInfo.processInfo.environment, system: searchSystemDirectories)
        for directory in candidates where required.allSatisfy({ FileManager.default.isExecutableFile(atPath: "\(directory)/\($0)") }) {
            return PostgresBinaries(directory: directory)
        }
        throw LocalClusterError(
            .binariesMissing,
            "the PostgreSQL server programs (initdb, pg_ctl, postgres) are not installed; looked in \(candidates.joined(separator: ", "))",
            hint: "on Debian or Ubuntu run: apt-get update && apt-get install -y postgresql postgresql-contrib libpq-dev pkg-config. "
                + "Or set DATABASE_URL to use a PostgreSQL server you already have."
        )
    }

    private static func candidateDirectories(environment: [String: String], system: Bool) -> [String] {
        var directories: [String] = []
        if let explicit = environment["KHEO_PG_BINDIR"], !explicit.isEmpty { directories.append(explicit) }
        if system { directories += systemDirectories() }
        directories += (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        var seen = Set<String>()
        return directories.filter { seen.insert($0).inserted }
    }

    private static func systemDirectories() -> [String] {
        var directories: [String] = []
        for pgConfig in ["/usr/bin/pg_config", "/usr/local/bin/pg_config"] where FileManager.default.isExecutableFile(atPath: pgConfig) {
            if let output = try? CommandRunner.run(pgConfig, ["--bindir"]), output.status == 0 {
                directories.append(output.text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        let debianRoot = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: debianRoot)) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            directories.append("\(debianRoot)/\(version)/bin")
        }
        directories.append("/usr/local/pgsql/bin")
        return directories
    }
}
