/// How the server end of a connection is held: for the whole session (PostgreSQL
/// itself, or PgBouncer's `pool_mode = session`), or only for each transaction
/// (PgBouncer's `pool_mode = transaction`), where consecutive transactions of one
/// client may run on different server sessions.
///
/// Under `.transaction` nothing may outlive a transaction on the server: statements
/// are sent unnamed (PgBouncer 1.18 does not carry named prepared statements across
/// server sessions), settings are applied to each transaction (`SET LOCAL`), and
/// `LISTEN` and session advisory locks are refused, since the session that took them
/// goes back to the pool at COMMIT. Say it in the URL: `?pool_mode=transaction`.
public enum PoolMode: String, Sendable, CaseIterable {
    case session
    case transaction
}
