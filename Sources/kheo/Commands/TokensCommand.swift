import ArgumentParser
import DanVan
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
        abstract: "Create a token acting for a unit (and its subtree), or an operator's, and print it once.",
        discussion: """
            Roles of a unit's token: viewer reads its subtree; editor also submits and
            changes work there; admin also manages its subtree's webhooks. An operator
            token acts for no unit: it runs the system (pauses and resumes queues, sees and
            cancels or retries every job, reads /metrics). Only the token's hash is stored:
            keep the printed token.

            Examples:
              kheo tokens create --unit 12 --role editor --label "cổng thông tin huyện"
              kheo tokens create --role operator --label "trực vận hành"
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The unit's id (not for --role operator).")
    var unit: Int64?

    @Option(help: "viewer, editor, admin or operator.")
    var role: String

    @Option(help: "A note to tell tokens apart.")
    var label = ""

    func run() throws {
        guard let parsed = Principal.Role(rawValue: role) else {
            throw ValidationError("--role must be viewer, editor, admin or operator, not \(role)")
        }
        guard (parsed == .operator) == (unit == nil) else {
            throw ValidationError(APITokens.TokenError.unitAndRole(parsed).description)
        }
        let (_, connection) = try global.connect(label: "kheo.tokens")
        // Whoever holds the database's credentials runs the system.
        try Authority.require(.manageTokens, by: .system, in: connection)
        let created = try APITokens().create(unit: unit, role: parsed, label: label, on: connection)
        print(created.token)
        // The token alone on stdout, for scripts; the note for people on stderr.
        let actsFor = unit.map { "for unit \($0)" } ?? "for every unit"
        FileHandle.standardError.write(Data("Token \(created.prefix)… \(actsFor), role \(parsed.rawValue): shown once; revoke it with `kheo tokens revoke \(created.prefix)`.\n".utf8))
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
        try Authority.require(.manageTokens, by: .system, in: connection)
        let count = try APITokens().revoke(prefix: prefix, on: connection)
        print("Revoked \(count) token(s) starting \(prefix.prefix(12)).")
    }
}
