public import ArgumentParser
public import Logging
import PostgresClient

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Least severe log level shown: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(name: .long, help: "text (for people) or json (one object per line, for log collectors).")
    var logFormat: LogFormat = .text

    enum LogFormat: String, ExpressibleByArgument {
        case text, json
    }

    /// Sends structured logs to standard error, so standard output stays for results.
    func makeLogger(label: String) -> Logger {
        let level = logLevel
        let format = logFormat
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
        return Logger(label: label)
    }

    /// A logger, the database (migrated to the current schema), and a connection to it:
    /// what the operator commands need.
    func connect(label: String) throws -> (Logger, PostgresConnection) {
        let logger = makeLogger(label: label)
        let target = try DatabaseTarget.resolve(logger: logger)
        try target.prepareSchema(logger: logger)
        return (logger, try PostgresConnection.connect(to: target.configuration, logger: logger))
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
