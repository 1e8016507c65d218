import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts programs with `posix_spawn`, closing every inherited descriptor but the three
/// standard ones in the child.
///
/// Foundation's `Process` learns that a child ended when a socket it shares with the
/// child closes; `pg_ctl start` leaves a daemon running that inherits that socket, so
/// `waitUntilExit` would wait for the server to stop. Spawning directly and waiting
/// with `waitpid` avoids that, and keeps our descriptors (pipes to a test runner,
/// database sockets) out of long-lived servers.
enum Subprocess {
    /// Runs `arguments[0]` with stdin from /dev/null and stdout and stderr appended to
    /// `outputPath` (or /dev/null); waits for it when `wait` is true.
    /// Returns the exit status (or 0 when not waiting).
    static func spawn(_ arguments: [String], environment: [String: String], outputPath: String?, wait: Bool) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let output = outputPath ?? "/dev/null"
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_APPEND | O_CREAT, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        closeInheritedDescriptors(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if !wait {
            // A detached watcher gets its own process group, so a Ctrl-C aimed at us spares it.
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
            posix_spawnattr_setpgroup(&attributes, 0)
        }

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            throw LocalClusterError(.commandFailed, "could not run \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        guard wait else { return 0 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else {
                throw LocalClusterError(.commandFailed, "lost track of \(arguments[0]): \(String(cString: strerror(errno)))")
            }
        }
        // WIFEXITED / WEXITSTATUS, spelled out: Swift does not import the macros.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc 2.34+ can close every descriptor from 3 up in the child
    /// (`posix_spawn_file_actions_addclosefrom_np`), but Swift does not import it, so it
    /// is looked up at run time. Where it is missing, our descriptors are marked
    /// close-on-exec instead, which has the same effect on the child.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
            if closeFrom(&actions, 3) == 0 { return }
        }
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in descriptors.compactMap({ Int32($0) }) where descriptor > 2 {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }
}
