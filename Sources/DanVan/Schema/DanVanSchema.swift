public import Kheo

/// The domain's database schema: the `danvan` line (`sql/danvan/`, embedded at build
/// time), which depends on the engine's. Programs that run the domain migrate with `all`.
public enum DanVanSchema {
    /// The engine's line, then the domain's.
    public static var all: [Migration] { Migration.engine + migrations }
}
