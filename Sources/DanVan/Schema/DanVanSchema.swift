public import Kheo

/// The domain's database schema: the `danvan` line (`sql/danvan/`, embedded at build
/// time), which depends on the engine's. Programs that run the domain migrate with `all`.
///
/// `demoLine` (`sql/danvan_demo/`) is for the demo and the tests only: it gives
/// `danvan.now()` a clock they can set (`danvan.simulated_clock`). Apply it after
/// `all` (and after the API's line); `kheo migrate` never does.
public enum DanVanSchema {
    /// The engine's line, then the domain's.
    public static var all: [Migration] { Migration.engine + migrations }
}
