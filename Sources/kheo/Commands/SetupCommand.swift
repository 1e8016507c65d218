import ArgumentParser
import DanVan
import Foundation
import PostgresClient

/// `kheo setup …`: what an office does once to start using Kheo, without code: create
/// its province, import its unit list from the CSV or .xlsx file it keeps, open a
/// campaign with its windows, targets and periods, define other periods, and group
/// units into clusters. Whoever holds the database's credentials acts as the system.
struct SetupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Set up a province: its units from a CSV/.xlsx list, campaigns with windows and targets, periods, clusters.",
        subcommands: [SetupUnitsCommand.self, SetupCampaignCommand.self, SetupPeriodCommand.self, SetupClusterCommand.self]
    )
}

struct SetupUnitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "units",
        abstract: "Import a unit list (all rows or none; again without change) or export one.",
        subcommands: [SetupUnitsImportCommand.self, SetupUnitsExportCommand.self]
    )
}

struct SetupUnitsImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import units from a CSV (UTF-8) or .xlsx file with the columns Mã, Tên đơn vị, Loại, Đơn vị cấp trên, Mã cấp trên.",
        discussion: """
            The first row names the columns (Vietnamese or English, any order). A parent is a row of \
            the file or a standing unit, by name, or by code (Mã cấp trên) where names repeat. A file \
            with any bad row is refused whole, each bad row named by its line; a row already standing \
            is left as it is, so importing the same file again changes nothing.
            """
    )

    @Argument(help: "The file (.csv or .xlsx; told apart by its content).")
    var file: String

    @Option(help: "The day new units start (dd/mm/yyyy; default: as far back as the records go, or 01/07/2025 for a commune under a province).", transform: parseDay)
    var from: CivilDate?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let sheet = try UnitSheet.read(data)
        let (_, connection) = try global.connect(label: "kheo.setup")
        let outcome = try connection.transaction { connection in try UnitImport().run(sheet, from: from, by: .system, in: connection) }
        print("Imported \(sheet.rows.count) rows: \(outcome.created) units created, \(outcome.unchanged) already standing, \(outcome.codesAdded) codes added.")
    }
}

struct SetupUnitsExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a unit's standing subtree as a unit list that imports back to the same tree."
    )

    @Argument(help: "The unit at the top (a province).")
    var unit: Int64

    @Option(help: "Where to write; the extension (.csv or .xlsx) chooses the format.")
    var to: String

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let format: UnitSheet.Format = to.lowercased().hasSuffix(".xlsx") ? .xlsx : .csv
        let (_, connection) = try global.connect(label: "kheo.setup")
        let sheet = try UnitSheet.export(unit, by: .system, on: connection)
        try sheet.data(as: format).write(to: URL(fileURLWithPath: to))
        print("Wrote \(sheet.rows.count) units to \(to).")
    }
}

/// A registration window written as `KIND:OPENS:CLOSES:COLLECTIVE:INDIVIDUAL`, e.g.
/// `xã:15/10/2017:31/12/2017:10:15` (Càng Long's: each commune 10 collective and 15
/// individual models).
func parseWindow(_ text: String) throws -> CampaignSetup.Window {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 5, let kind = OrgUnit.Kind(sheetName: parts[0]), let collective = Int(parts[3]), let individual = Int(parts[4]) else {
        throw ValidationError("a window is KIND:OPENS:CLOSES:COLLECTIVE:INDIVIDUAL, e.g. xã:15/10/2017:31/12/2017:10:15; got \"\(text)\"")
    }
    return CampaignSetup.Window(
        unitKind: kind, opens: try parseDay(parts[1]), closes: try parseDay(parts[2]), collectiveTarget: collective, individualTarget: individual
    )
}

struct SetupCampaignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Open a campaign of a unit: its span, its registration windows and targets, and its periods.",
        discussion: """
            A campaign runs from tradition day to tradition day (Càng Long 2018: 15/10/2017 to the \
            review of 12/10/2018). Its periods are defined with it: the year (named for the year it \
            ends in) and its six-month review to 30/06; a span over a year and a half is a stage \
            (sơ kết giai đoạn). Targets are floors: more registrations are welcome.
            """
    )

    @Option(help: "The unit that runs it.") var unit: Int64
    @Option(help: "Its name, e.g. \"Dân vận khéo năm 2018\".") var name: String
    @Option(help: "First day (dd/mm/yyyy).", transform: parseDay) var from: CivilDate
    @Option(help: "Last day (dd/mm/yyyy).", transform: parseDay) var to: CivilDate
    @Option(help: "The stage (a campaign id) it is part of.") var stage: Int64?
    @Option(name: .customLong("window"), help: "KIND:OPENS:CLOSES:COLLECTIVE:INDIVIDUAL, once per kind of unit.", transform: parseWindow)
    var windows: [CampaignSetup.Window] = []
    @Flag(help: "Do not define the campaign's periods.") var noPeriods = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (_, connection) = try global.connect(label: "kheo.setup")
        let opened = try connection.transaction { connection in
            try CampaignSetup().open(
                .init(unitID: unit, name: name, first: from, last: to, stageID: stage, windows: windows, definePeriods: !noPeriods),
                by: .system, in: connection
            )
        }
        print("Opened campaign \(opened.campaignID) with \(windows.count) window(s).")
        for period in opened.periods { print("  period \(period.id): \(period.name) (\(period.startsOn)–\(period.endsOn))") }
    }
}

struct SetupPeriodCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "period", abstract: "Define a period: a campaign's (with --campaign) or a calendar one."
    )

    @Option(help: "six_month, year or stage.") var kind: String
    @Option(help: "Its name, e.g. \"6 tháng đầu năm 2024\".") var name: String
    @Option(help: "First day (dd/mm/yyyy).", transform: parseDay) var from: CivilDate
    @Option(help: "Last day (dd/mm/yyyy).", transform: parseDay) var to: CivilDate
    @Option(help: "The campaign whose models it counts (default: those registered between its days).") var campaign: Int64?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        guard let kind = Period.Kind(rawValue: kind) else { throw ValidationError("--kind is six_month, year or stage") }
        let (_, connection) = try global.connect(label: "kheo.setup")
        let period = try connection.transaction { connection in
            try CampaignSetup().definePeriod(kind, named: name, from: from, to: to, campaign: campaign, by: .system, in: connection)
        }
        print("Period \(period.id): \(period.name) (\(period.startsOn)–\(period.endsOn)).")
    }
}

struct SetupClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster", abstract: "Add units to a cluster (cụm thi đua) from a day, or take them out."
    )

    @Argument(help: "The cluster (a unit of kind cluster).") var cluster: Int64
    @Option(name: .customLong("add"), help: "A unit to add (repeat).") var added: [Int64] = []
    @Option(name: .customLong("remove"), help: "A unit to take out (repeat).") var removed: [Int64] = []
    @Option(help: "The day it takes effect (dd/mm/yyyy).", transform: parseDay) var on: CivilDate

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (_, connection) = try global.connect(label: "kheo.setup")
        let members = try connection.transaction { connection in
            for unit in added { try Clusters().add(unit, to: cluster, from: on, by: .system, in: connection) }
            for unit in removed { try Clusters().remove(unit, from: cluster, on: on, by: .system, in: connection) }
            return try Clusters().members(of: cluster, on: on, on: connection)
        }
        print("Cluster \(cluster) on \(on): \(members.map(String.init).joined(separator: ", "))")
    }
}
