import DanVan
import PostgresClient

/// The reorganisation of 01/07/2025 as the demo's province lives it, through
/// `UnitChanges` as an office would record it: the communes of each district merged in
/// twos and threes into new communes (wards in the city) directly under the province,
/// each merged commune's bodies into one body of the new commune, a commune left alone
/// moved under the province, and every district and its bodies dissolved with their
/// work handed to the province. Records made before the day keep their units; the
/// statistics count them for the successors in periods that end after it.
enum DemoReorganisation {
    static let day = OrgUnit.twoTierSince
    static let decision = "Nghị quyết của Ủy ban Thường vụ Quốc hội về sắp xếp đơn vị hành chính cấp xã năm 2025"

    struct Outcome {
        /// The province on the two-tier tree: no districts, its communes directly under it.
        var province: DemoProvince
        /// Each ended unit's successor.
        var successors: [Int64: Int64]
        var merged = 0
        var moved = 0
        var dissolved = 0

        /// Where an ended unit's work goes now (the unit itself while it stands).
        func current(_ unit: Int64) -> Int64 {
            var unit = unit
            while let next = successors[unit] { unit = next }
            return unit
        }
    }

    /// Runs the reorganisation in the caller's transaction, as the system (the province
    /// records a national decision).
    static func run(_ province: DemoProvince, random: inout SeededGenerator, in connection: PostgresConnection) throws -> Outcome {
        let changes = UnitChanges()
        var outcome = Outcome(province: province, successors: [:])
        var communes: [DemoProvince.Commune] = []
        for district in province.districts {
            var pending = district.communes
            while !pending.isEmpty {
                let size = pending.count <= 3 ? pending.count : Int.random(in: 1...3, using: &random)
                let group = Array(pending.prefix(size))
                pending.removeFirst(size)
                let first = group[0]
                guard group.count > 1 else {
                    // A town (thị trấn) left alone becomes a ward: the two-tier system has no towns.
                    if first.level == "thị trấn" {
                        try changes.rename(first.unit.id, to: "Phường \(first.place)", on: day, decision: decision, by: .system, in: connection)
                    }
                    let moved = try changes.move(first.unit.id, under: province.unit.id, on: day, decision: decision, by: .system, in: connection)
                    let level = first.level == "thị trấn" ? "phường" : first.level
                    communes.append(.init(unit: moved, hamlets: first.hamlets, organisations: first.organisations, place: first.place, level: level))
                    outcome.moved += 1
                    continue
                }
                // Hamlets keep their names unless one clashes with another's in the new
                // commune: then, as offices do, quarters are numbered on and a named
                // hamlet takes its old commune's name after its own.
                // A new name is taken by no hamlet of the group, old or renamed.
                var taken = Set(group.flatMap { $0.hamlets.map { $0.name.lowercased() } })
                var kept = Set(first.hamlets.map { $0.name.lowercased() })
                var quarter = group.flatMap(\.hamlets).compactMap { Int($0.name.dropFirst("Khóm ".count)) }.max() ?? 0
                for commune in group.dropFirst() {
                    for hamlet in commune.hamlets where !kept.insert(hamlet.name.lowercased()).inserted {
                        var name = hamlet.name
                        var attempt = 1
                        while taken.contains(name.lowercased()) {
                            if hamlet.name.hasPrefix("Khóm ") {
                                quarter += 1
                                name = "Khóm \(quarter)"
                            } else {
                                name = "\(hamlet.name) \(commune.place)" + (attempt > 1 ? " \(attempt)" : "")
                                attempt += 1
                            }
                        }
                        taken.insert(name.lowercased())
                        kept.insert(name.lowercased())
                        try changes.rename(hamlet.id, to: name, on: day, decision: decision, by: .system, in: connection)
                    }
                }
                // The new commune takes the first one's place name; a town's or a
                // ward's group becomes a ward.
                let level = first.level == "xã" ? "xã" : "phường"
                let successor = try changes.merge(
                    group.map(\.unit.id), into: .new(.commune, name: "\(level == "xã" ? "Xã" : "Phường") \(first.place)", under: province.unit.id),
                    on: day, decision: decision, by: .system, in: connection
                )
                for commune in group { outcome.successors[commune.unit.id] = successor.id }
                outcome.merged += group.count
                // Each body of the merged communes (party committee, Front, mass
                // organisations, police) into the new commune's one.
                var bodies: [OrgUnit] = []
                for (index, body) in DemoProvince.bodies(level, of: first.place).enumerated() {
                    let predecessors = group.compactMap { $0.organisations.indices.contains(index) ? $0.organisations[index] : nil }
                    let merged = try changes.merge(
                        predecessors.map(\.id), into: .new(body.kind, name: body.name, under: successor.id),
                        on: day, decision: decision, by: .system, in: connection
                    )
                    for predecessor in predecessors { outcome.successors[predecessor.id] = merged.id }
                    bodies.append(merged)
                }
                communes.append(.init(unit: successor, hamlets: group.flatMap(\.hamlets), organisations: bodies, place: first.place, level: level))
            }
            for body in district.organisations + [district.unit] {
                try changes.dissolve(body.id, on: day, handingOverTo: province.unit.id, decision: decision, by: .system, in: connection)
                outcome.successors[body.id] = province.unit.id
                outcome.dissolved += 1
            }
        }
        outcome.province.districts = []
        outcome.province.communes = communes
        return outcome
    }
}
