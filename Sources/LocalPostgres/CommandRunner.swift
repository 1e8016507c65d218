import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the PostgreSQL programs, as the `postgres` system user when we are root.
///
/// initdb and postgres refuse to run as root, so a root process (CI, containers) runs
/// them through `runuser -u postgres`. Output goes to a temporary file rather than a
/// pipe: `pg_ctl start` leaves a server running that would otherwise keep the pipe
/// open and block the read forever (see `Subprocess`).
enum CommandRunner {
    struct Output {
        let status: Int32
        let text: String
    }

    /// The unprivileged account servers run as when we are root.
    static let serviceUser = "postgres"

    static var isRoot: Bool { geteuid() == 0 }

    /// Runs `executable` and waits for it.
    static func run(_ executable: String, _ arguments: [String], asServiceUser: Bool = false) throws(LocalClusterError) -> Output {
        var launchPath = executable
        var launchArguments = arguments
        if asServiceUser, isRoot {
            try requireServiceUser()
            launchPath = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"]
                .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/sbin/runuser"
            launchArguments = ["-u", serviceUser, "--", executable] + arguments
        }
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("kheo-cmd-\(getpid())-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let status: Int32
        do {
            status = try Subprocess.spawn([launchPath] + launchArguments, environment: cleanEnvironment(), outputPath: outputPath, wait: true)
        } catch let error as LocalClusterError {
            throw error
        } catch {
            throw LocalClusterError(.commandFailed, "could not run \(executable): \(error)")
        }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return Output(status: status, text: text)
    }

    /// Runs and throws with the program's own output when it fails.
    @discardableResult
    static func check(_ executable: String, _ arguments: [String], asServiceUser: Bool = false) throws(LocalClusterError) -> String {
        let output = try run(executable, arguments, asServiceUser: asServiceUser)
        guard output.status == 0 else {
            let name = URL(fileURLWithPath: executable).lastPathComponent
            throw LocalClusterError(
                .commandFailed,
                "\(name) failed (exit status \(output.status)): \(output.text.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        return output.text
    }

    /// Makes `path` belong to the service user when we are root, so the server can use it.
    static func handOver(_ path: String) throws(LocalClusterError) {
        guard isRoot else { return }
        try requireServiceUser()
        guard let account = getpwnam(serviceUser), chown(path, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
            throw LocalClusterError(.directoryUnusable, "could not give \(path) to the \(serviceUser) user: \(String(cString: strerror(errno)))")
        }
    }

    static func requireServiceUser() throws(LocalClusterError) {
        guard getpwnam(serviceUser) == nil else { return }
        throw LocalClusterError(
            .noServiceUser,
            "running as root, and PostgreSQL refuses root, but there is no '\(serviceUser)' user to run it as",
            hint: "install the postgresql package (it creates the user), or: useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres"
        )
    }

    /// Our environment without libpq's PG* variables, which would point the programs elsewhere.
    static func cleanEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        environment["LC_ALL"] = "C"
        return environment
    }
}
