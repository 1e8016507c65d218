public import Kheo

/// The domain's database schema: its migrations (from `sql/danvan/`, embedded at build
/// time) after the engine's. Programs that run the domain migrate with `all`.
public enum DanVanSchema {
    /// The engine's migrations and the domain's, in version order.
    public static var all: [Migration] {
        (Migration.embedded + migrations).sorted { $0.version < $1.version }
    }
}
