public import Kheo
public import DanVan

/// The HTTP API's own tables (`sql/kheo_api/`: idempotency keys, console sessions),
/// which depend on the domain's units and tokens. `all` is the whole schema a `kheo`
/// binary serves: the engine's line, the domain's, then the API's.
public enum KheoAPISchema {
    public static var all: [Migration] { DanVanSchema.all + migrations }
}
