import Foundation
import PackagePlugin

/// Embeds migrations into the target as Swift source, so a `kheo` binary copied
/// anywhere still carries its whole schema.
///
/// The engine (`Kheo`) takes the package's top-level `sql/*.sql` as
/// `Migration.embedded`; a domain target takes `sql/<target, lowercased>/*.sql` as
/// `<Target>Schema.migrations` (e.g. `sql/danvan/` → `DanVanSchema.migrations`). All
/// folders share one sequence of version numbers, so the engine stays free of the
/// domain while one history table orders both.
@main
struct EmbedMigrations: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let isEngine = target.name == "Kheo"
        var sqlDirectory = context.package.directoryURL.appending(path: "sql")
        if !isEngine { sqlDirectory = sqlDirectory.appending(path: target.name.lowercased()) }
        let files = try FileManager.default
            .contentsOfDirectory(at: sqlDirectory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        let declaration = isEngine ? "engine" : "\(target.name)Schema"
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) migrations from \(sqlDirectory.lastPathComponent)/",
                executable: try context.tool(named: "EmbedSQL").url,
                // The folder, not its files: the tool lists it when it runs, and the
                // folder as an input reruns it when a file is added, so a new
                // migration is embedded without a clean build.
                arguments: [output.path(percentEncoded: false), declaration, sqlDirectory.path(percentEncoded: false)],
                inputFiles: files + [sqlDirectory],
                outputFiles: [output]
            )
        ]
    }
}
