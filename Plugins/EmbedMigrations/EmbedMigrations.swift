import Foundation
import PackagePlugin

/// Embeds a module's schema lines into it as Swift source, so a `kheo` binary copied
/// anywhere still carries its whole schema.
///
/// Each module owns its lines and numbers them itself (`sql/<line>/NNNN_name.sql`):
/// the engine (`Kheo`) has `kheo` (`Migration.engine`) and `kheo_test`, the tables
/// only tests, the demo and the bench use (`Migration.testLine`); the domain (`DanVan`)
/// has `danvan` (`DanVanSchema.migrations`) and `danvan_demo`, the simulated clock of
/// the demo and the domain's tests (`DanVanSchema.demoLine`); the HTTP API (`KheoAPI`) has `kheo_api`
/// (`KheoAPISchema.migrations`). The history records each migration by (line, version).
/// A line's `functions/*.sql` are embedded with it, to be applied again whenever their
/// text changes.
@main
struct EmbedMigrations: BuildToolPlugin {
    /// Each target's lines: the declaration that holds it, and the folder under `sql/`.
    static let lines: [String: [(declaration: String, line: String)]] = [
        "Kheo": [("Migration.engine", "kheo"), ("Migration.testLine", "kheo_test")],
        "DanVan": [("DanVanSchema.migrations", "danvan"), ("DanVanSchema.demoLine", "danvan_demo")],
        "KheoAPI": [("KheoAPISchema.migrations", "kheo_api")],
    ]

    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        guard let lines = Self.lines[target.name] else {
            throw PluginError(message: "EmbedMigrations: target \(target.name) owns no schema line; add it to EmbedMigrations.lines")
        }
        var arguments: [String] = []
        var inputs: [URL] = []
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        arguments.append(output.path(percentEncoded: false))
        for (declaration, line) in lines {
            let directory = context.package.directoryURL.appending(path: "sql").appending(path: line)
            let functions = directory.appending(path: "functions")
            var folders = [directory]
            if FileManager.default.fileExists(atPath: functions.path(percentEncoded: false)) { folders.append(functions) }
            for folder in folders {
                let files = try FileManager.default
                    .contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                    .filter { $0.pathExtension == "sql" }
                // The folder, not only its files: the tool lists it when it runs, and the
                // folder as an input reruns it when a file is added, so a new migration is
                // embedded without a clean build.
                inputs += files + [folder]
            }
            arguments += [declaration, line, directory.path(percentEncoded: false)]
        }
        return [
            .buildCommand(
                displayName: "Embedding the schema lines \(lines.map(\.line).joined(separator: ", "))",
                executable: try context.tool(named: "EmbedSQL").url,
                arguments: arguments,
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}

struct PluginError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
