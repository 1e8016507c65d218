import Foundation
import Kheo

/// Periodic jobs declared in a JSON file, for `kheo work --cron-file` and
/// `kheo cron list`:
///
/// ```json
/// [{"name": "nightly-statistics", "schedule": "0 2 * * *", "time_zone": "Asia/Ho_Chi_Minh",
///   "kind": "statistics.regenerate", "args": {}, "queue": "default", "catch_up_missed": true}]
/// ```
///
/// `time_zone` defaults to Asia/Ho_Chi_Minh, `args` to `{}`, `queue` to `default`,
/// `catch_up_missed` to true. `partition_key` (none by default) is the key the job
/// counts under in a queue limited or fair by key (`kheo queues limit`).
enum PeriodicFile {
    struct Entry: Decodable {
        var name: String
        var schedule: String
        var timeZone: String?
        var kind: String
        var args: JSONValue?
        var queue: String?
        var priority: Int?
        var maxAttempts: Int?
        var catchUpMissed: Bool?
        var partitionKey: String?
    }

    /// Any JSON value, kept only to be written back as the job's args.
    struct JSONValue: Decodable {
        let text: String
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            let object = try container.decode([String: AnyJSON].self)
            let data = try JSONSerialization.data(withJSONObject: object.mapValues(\.value), options: [.sortedKeys])
            text = String(decoding: data, as: UTF8.self)
        }
    }

    struct AnyJSON: Decodable {
        let value: Any
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { value = NSNull() }
            else if let bool = try? container.decode(Bool.self) { value = bool }
            else if let int = try? container.decode(Int64.self) { value = int }
            else if let double = try? container.decode(Double.self) { value = double }
            else if let string = try? container.decode(String.self) { value = string }
            else if let array = try? container.decode([AnyJSON].self) { value = array.map(\.value) }
            else { value = try container.decode([String: AnyJSON].self).mapValues(\.value) }
        }
    }

    /// Reads and checks every entry; the first bad one is refused with its name and fault.
    static func load(_ path: String) throws -> [PeriodicJob] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw OperatorError("cannot read the cron file \(path): \(error.localizedDescription)")
        }
        let entries: [Entry]
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            entries = try decoder.decode([Entry].self, from: data)
        } catch {
            throw OperatorError("the cron file \(path) is not a JSON list of entries (name, schedule, kind, …): \(error)")
        }
        return try entries.map { entry in
            let options = EnqueueOptions(
                queue: entry.queue ?? EnqueueOptions.defaultQueue, priority: entry.priority ?? 0,
                maxAttempts: entry.maxAttempts ?? EnqueueOptions.defaultMaxAttempts
            )
            return try PeriodicJob(
                name: entry.name, schedule: entry.schedule, timeZone: entry.timeZone ?? PeriodicJob.vietnam,
                job: JobRequest(kind: entry.kind, argsJSON: entry.args?.text ?? "{}", options: options, partitionKey: entry.partitionKey),
                catchUpMissed: entry.catchUpMissed ?? true
            )
        }
    }
}
