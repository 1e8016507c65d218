import ArgumentParser
import Foundation
import KheoAPI

/// `kheo tokens …`: bearer tokens for the HTTP API.
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Create and revoke the HTTP API's bearer tokens.",
        subcommands: [TokensCreateCommand.self, TokensRevokeCommand.self]
    )
}

struct TokensCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a token acting for a unit (and its subtree), and print it once.",
        discussion: """
            Roles: viewer reads; editor also submits and changes work; admin also pauses and
            resumes queues. Only the token's hash is stored: keep the printed token.

            Example:
              kheo tokens create --unit 12 --role editor --label "cổng thông tin huyện"
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The unit's id.")
    var unit: Int64

    @Option(help: "viewer, editor or admin.")
    var role: String

    @Option(help: "A note to tell tokens apart.")
    var label = ""

    func run() throws {
        guard let parsed = APIRole(rawValue: role) else {
            throw ValidationError("--role must be viewer, editor or admin, not \(role)")
        }
        let (_, connection) = try global.connect(label: "kheo.tokens")
        let created = try APITokens().create(unit: unit, role: parsed, label: label, on: connection)
        print(created.token)
        // The token alone on stdout, for scripts; the note for people on stderr.
        FileHandle.standardError.write(Data("Token \(created.prefix)… for unit \(unit), role \(parsed.rawValue): shown once; revoke it with `kheo tokens revoke \(created.prefix)`.\n".utf8))
    }
}

struct TokensRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a token, named by its first 12 characters (or the whole token)."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The token, or its first 12 characters as `create` printed them.")
    var prefix: String

    func run() throws {
        let (_, connection) = try global.connect(label: "kheo.tokens")
        let count = try APITokens().revoke(prefix: prefix, on: connection)
        print("Revoked \(count) token(s) starting \(prefix.prefix(12)).")
    }
}
