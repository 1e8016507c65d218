import ArgumentParser
import DanVan
import Foundation
import PostgresClient

/// `kheo units …`: the unit tree as it stood on a day, each unit's recorded changes,
/// and the changes themselves (rename, move, merge, dissolve) as an office records a
/// decision. Whoever holds the database's credentials acts as the system.
struct UnitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "units",
        abstract: "The unit tree on a day, each unit's history, and dated renames, moves, mergers and dissolutions.",
        subcommands: [
            UnitsTreeCommand.self, UnitsHistoryCommand.self, UnitsRenameCommand.self, UnitsMoveCommand.self, UnitsMergeCommand.self,
            UnitsDissolveCommand.self,
        ]
    )
}

/// A day written as officials write it (dd/mm/yyyy); a wrong one is refused with the reason.
func parseDay(_ text: String) throws -> CivilDate {
    do {
        return try CivilDate(parsing: text)
    } catch {
        throw ValidationError(error.description)
    }
}

/// The options every change takes: its day and the decision that made it.
struct UnitChangeOptions: ParsableArguments {
    @Option(help: "The day the change takes effect (dd/mm/yyyy).", transform: parseDay)
    var on: CivilDate

    @Option(help: "The decision that made it, e.g. \"Nghị quyết số 1687/NQ-UBTVQH15\".")
    var decision: String = ""
}

struct UnitsTreeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tree", abstract: "The units standing on a day, with the names they bore then.")

    @Argument(help: "The unit at the top (default: every province).")
    var unit: Int64?

    @Option(help: "The day (dd/mm/yyyy; default: today by the domain's clock).", transform: parseDay)
    var on: CivilDate?

    @Option(help: "Levels below the top to show.")
    var depth: Int = 99

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (_, connection) = try global.connect(label: "kheo.units")
        let rows = try connection.query(
            """
            WITH RECURSIVE day AS (SELECT coalesce($2::date, danvan.today()) AS d),
            tree (id, depth, sort) AS (
                SELECT u.id, 0, ARRAY[u.id] FROM danvan.units AS u, day
                WHERE (u.id = $1 OR ($1 IS NULL AND u.parent_id IS NULL))
                  AND u.valid_from <= day.d AND (u.valid_until IS NULL OR u.valid_until > day.d)
              UNION ALL
                SELECT c.id, t.depth + 1, t.sort || c.id FROM tree AS t, day CROSS JOIN LATERAL danvan.unit_children_on(t.id, day.d) AS c(id)
                WHERE t.depth < $3
            )
            SELECT t.id, t.depth, u.kind::text AS kind, danvan.unit_name_on(t.id, day.d) AS name, to_char(day.d, 'DD/MM/YYYY') AS day
            FROM tree AS t JOIN danvan.units AS u ON u.id = t.id, day ORDER BY t.sort
            """,
            unit, on?.iso, Int32(clamping: depth)
        )
        guard let first = rows.first else {
            throw ValidationError(unit.map { "unit \($0) does not exist or did not stand on that day" } ?? "no unit stood on that day")
        }
        print("Units standing on \(try first.decode("day", as: String.self)):")
        for row in rows {
            let depth = Int(try row.decode("depth", as: Int32.self))
            print(String(repeating: "  ", count: depth) + "\(try row.decode("name", as: String.self))  [\(try row.decode("kind", as: String.self)) \(try row.decode("id", as: Int64.self))]")
        }
    }
}

struct UnitsHistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "A unit's recorded changes, in the order recorded.")

    @Argument(help: "The unit.")
    var unit: Int64

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (_, connection) = try global.connect(label: "kheo.units")
        guard try UnitDirectory().find(unit, on: connection) != nil else { throw UnitError.notFound(unit) }
        // Text columns, left-aligned: the day, the change, what it did, the decision.
        for change in try UnitChange.history(of: unit, on: connection) {
            let detail: String = switch change.kind {
            case .created: "\(change.newName ?? "")" + (change.toParent.map { " under unit \($0)" } ?? "")
            case .renamed: "\(change.oldName ?? "") → \(change.newName ?? "")"
            case .moved: "from unit \(change.fromParent.map(String.init) ?? "-") to unit \(change.toParent.map(String.init) ?? "-")"
            case .merged: "into unit \(change.successorID.map(String.init) ?? "-")"
            case .dissolved: change.successorID.map { "work handed to unit \($0)" } ?? ""
            }
            let day = (change.effectiveOn?.description ?? "always").padding(toLength: 10, withPad: " ", startingAt: 0)
            let kind = change.kind.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
            print("\(day)  \(kind)  \(detail)" + (change.decision.isEmpty ? "" : "  (\(change.decision))"))
        }
    }
}

struct UnitsRenameCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rename", abstract: "Give a unit a new name from a day; earlier reports keep the old one.")

    @Argument(help: "The unit.")
    var unit: Int64

    @Argument(help: "Its new name.")
    var name: String

    @OptionGroup var change: UnitChangeOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (_, connection) = try global.connect(label: "kheo.units")
        let renamed = try connection.transaction { connection in
            try UnitChanges().rename(unit, to: name, on: change.on, decision: change.decision, by: .system, in: connection)
        }
        print("unit \(unit) is \"\(renamed.name)\" from \(change.on)")
    }
}

struct UnitsMoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "move", abstract: "Place a unit, with everything under it, under another from a day.")

    @Argument(help: "The unit.")
    var unit: Int64

    @Option(help: "Its new parent.")
    var under: Int64

    @OptionGroup var change: UnitChangeOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (_, connection) = try global.connect(label: "kheo.units")
        try connection.transaction { connection in
            _ = try UnitChanges().move(unit, under: under, on: change.on, decision: change.decision, by: .system, in: connection)
        }
        print("unit \(unit) stands under unit \(under) from \(change.on)")
    }
}

struct UnitsMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge units into an existing one (--into) or a new one (--name, --under); their figures carry on there.",
        discussion: "kheo units merge 41 42 43 --name \"Xã Mỹ Cẩm\" --under 1 --on 01/07/2025 --decision \"Nghị quyết số 1687/NQ-UBTVQH15\""
    )

    @Argument(help: "The units merged.")
    var units: [Int64]

    @Option(help: "The standing unit they merge into.")
    var into: Int64?

    @Option(help: "The new unit's name.")
    var name: String?

    @Option(help: "The new unit's parent.")
    var under: Int64?

    @OptionGroup var change: UnitChangeOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (into == nil) != (name == nil && under == nil) else {
            throw ValidationError("give either --into UNIT, or --name and --under for a new unit")
        }
        if into == nil, name == nil || under == nil { throw ValidationError("a new unit needs both --name and --under") }
    }

    func run() throws {
        let (_, connection) = try global.connect(label: "kheo.units")
        let successor = try connection.transaction { connection in
            let target: UnitChanges.Successor
            if let into {
                target = .existing(into)
            } else {
                guard let first = units.first, let kind = try UnitDirectory().find(first, on: connection)?.kind else {
                    throw UnitError.notFound(units.first ?? 0)
                }
                target = .new(kind, name: name ?? "", under: under ?? 0)
            }
            return try UnitChanges().merge(units, into: target, on: change.on, decision: change.decision, by: .system, in: connection)
        }
        print("units \(units.map(String.init).joined(separator: ", ")) merged into \"\(successor.name)\" (unit \(successor.id)) from \(change.on)")
    }
}

struct UnitsDissolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dissolve", abstract: "End a unit from a day, optionally handing its work to another.")

    @Argument(help: "The unit.")
    var unit: Int64

    @Option(name: .customLong("handing-over-to"), help: "The unit that carries on its work and figures.")
    var successor: Int64?

    @OptionGroup var change: UnitChangeOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (_, connection) = try global.connect(label: "kheo.units")
        try connection.transaction { connection in
            try UnitChanges().dissolve(unit, on: change.on, handingOverTo: successor, decision: change.decision, by: .system, in: connection)
        }
        print("unit \(unit) dissolved from \(change.on)" + (successor.map { ", its work handed to unit \($0)" } ?? ""))
    }
}
