/// Who may enqueue a kind of job.
///
/// Most kinds are the system's own: a producer outside it (an HTTP client, say)
/// naming one could make a worker act on records it has no right to — deliver another
/// unit's notifications to its own endpoint, send reminders across a province. Such a
/// kind is `internal`, and only code with the database's credentials enqueues it. A
/// kind any authorised producer may enqueue says so, with the one queue it runs in and
/// which of its args name something the producer must be authorised for; the door
/// (`KheoAPI`) checks those before it inserts.
public enum JobExposure: Sendable, Equatable {
    /// Enqueued by the system only (the default).
    case `internal`
    /// Enqueued by outside producers, in `queue` only. `scopeArguments` are the top
    /// level fields of the args that hold ids the producer must be authorised for;
    /// what they name is the application's to say (units, in the movement's domain).
    case `public`(queue: String, scopeArguments: [String])

    public var isPublic: Bool {
        if case .public = self { return true }
        return false
    }
}
