import Foundation
import PackagePlugin

/// Writes `FastJSONCoders.swift` into the target from its `openapi.yaml` and
/// `openapi-fast-json.yaml` (see `GenerateJSONCoders`), beside the code
/// swift-openapi-generator writes from the same document.
@main
struct JSONCoders: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let directory = target.directoryURL
        let document = directory.appending(path: "openapi.yaml")
        let configuration = directory.appending(path: "openapi-fast-json.yaml")
        let output = context.pluginWorkDirectoryURL.appending(path: "FastJSONCoders.swift")
        return [
            .buildCommand(
                displayName: "Generating the fast JSON readers and writers of \(target.name)",
                executable: try context.tool(named: "GenerateJSONCoders").url,
                arguments: [output, document, configuration].map { $0.path(percentEncoded: false) },
                inputFiles: [document, configuration],
                outputFiles: [output]
            )
        ]
    }
}
