import DanVan

/// Everything the province's units do in the demo's year, by day, drawn from the seed:
/// model registrations and each model's later steps, activities, the deadlines the
/// province assigns, inspection plans and report requests. What depends on the
/// workers' output (which deadlines are met when, which visits report findings) is
/// decided as the year runs, by `DemoPolicy`.
struct DemoYear {
    enum Event {
        /// `index` names the model for its later steps (its id is known only once stored).
        case register(index: Int, ModelRegistration)
        case step(index: Int, Model.State)
        case activity(ActivityLog.Kind, unit: Int64, title: String, sessions: Int, attendees: Int)
        case deadline(unit: Int64, kind: Deadline.Kind, title: String, due: CivilDate)
        case plan(InspectionPlan, title: String)
        case reports(period: DemoPeriod)
    }

    enum DemoPeriod: Hashable { case firstHalf, secondHalf, year }

    let year: Int
    let first: CivilDate
    let last: CivilDate
    private(set) var events: [Int: [Event]] = [:]
    private(set) var registrations = 0

    func events(on day: CivilDate) -> [Event] { events[day.dayNumber] ?? [] }

    /// The year's script for `province` under `campaign`, up to `until` (the day before
    /// a reorganisation, when one falls in the year; the year's end otherwise).
    init(year: Int, province: DemoProvince, campaign: Int64, until: CivilDate? = nil, random: inout SeededGenerator) throws {
        self.year = year
        first = try CivilDate(year: year, month: 1, day: 1)
        last = try CivilDate(year: year, month: 12, day: 31)
        try add(province: province, campaign: campaign, days: first...(until ?? last), random: &random)
        // The six-month review is written at the end of June, while the units that
        // ran the half still stand (in 2025 the districts end on 30/06); the second
        // half's and the year's on the first day of the next year.
        add(.reports(period: .firstHalf), on: try CivilDate(year: year, month: 6, day: 30))
        add(.reports(period: .secondHalf), on: try CivilDate(year: year + 1, month: 1, day: 1))
        add(.reports(period: .year), on: try CivilDate(year: year + 1, month: 1, day: 1))
    }

    /// Adds the script of `days` for `province` as it stands then: models (registered
    /// when `days` holds the registration window), activities, the deadlines and
    /// inspection plans set within them. After a reorganisation the rest of the year
    /// is added for the new tree.
    mutating func add(province: DemoProvince, campaign: Int64, days: ClosedRange<CivilDate>, random: inout SeededGenerator) throws {
        let year = self.year
        let d = { (day: Int, month: Int) throws -> CivilDate in try CivilDate(year: year, month: month, day: day) }
        let registering = days.contains(try d(15, 1))
        var modelIndex = registrations

        // Models: registered in the window (15/01–31/03), some units beyond their target;
        // a few try after it closes, as units do, and are refused with the reason.
        func models(for unit: OrgUnit, collective: ClosedRange<Int>, individual: ClosedRange<Int>) throws {
            guard registering else { return }
            var titles = Set<String>()
            for holder in [Model.Holder.collective, .individual] {
                for _ in 0..<Int.random(in: holder == .collective ? collective : individual, using: &random) {
                    let field = Self.field(for: unit.kind, &random)
                    var title = province.region.hamletWords(in: random.pick(VietnameseNames.modelTitles[field.rawValue] ?? []))
                    var holderName = unit.name
                    if holder == .individual {
                        holderName = VietnameseNames.person(&random)
                        title = "\(title) – \(holderName)"
                    }
                    var attempt = 2
                    let base = title
                    while !titles.insert(title.lowercased()).inserted {
                        title = "\(base) (mô hình \(attempt))"
                        attempt += 1
                    }
                    let late = random.chance(0.03)
                    let day = late ? try Self.weekday(in: d(1, 4)...d(30, 4), &random) : try Self.weekday(in: d(15, 1)...d(31, 3), &random)
                    let registration = ModelRegistration(
                        campaignID: campaign, unitID: unit.id, field: field, holder: holder, holderName: holderName, title: title, day: day
                    )
                    add(.register(index: modelIndex, registration), on: day)
                    try lifecycle(modelIndex, registered: day, &random)
                    modelIndex += 1
                }
            }
        }
        for district in province.districts {
            try models(for: district.unit, collective: 1...3, individual: 0...2)
            for body in district.organisations { try models(for: body, collective: 0...2, individual: 0...1) }
        }
        for commune in province.allCommunes {
            // Quotas for a commune are 8 and 5: some ask for one more.
            try models(for: commune.unit, collective: 5...9, individual: 2...6)
            for hamlet in commune.hamlets { try models(for: hamlet, collective: 0...2, individual: 0...1) }
            for body in commune.organisations { try models(for: body, collective: 0...2, individual: 0...1) }
        }
        for body in province.organisations { try models(for: body, collective: 1...2, individual: 0...1) }
        registrations = modelIndex

        // Activities through the days given, on working days; a unit standing for half
        // the year holds about half its year's activities.
        let working = max(try d(2, 1), days.lowerBound)...min(try d(20, 12), days.upperBound)
        let share = Double(working.upperBound.dayNumber - working.lowerBound.dayNumber + 1) / 353
        let scaled = { (range: ClosedRange<Int>) in
            Int((Double(range.lowerBound) * share).rounded())...Int((Double(range.upperBound) * share).rounded())
        }
        func activities(for unit: OrgUnit, conferences: ClosedRange<Int>, audience: ClosedRange<Int>, trainings: ClosedRange<Int>, documents: ClosedRange<Int>) throws {
            let conferences = scaled(conferences), trainings = scaled(trainings), documents = scaled(documents)
            for _ in 0..<Int.random(in: conferences, using: &random) {
                add(.activity(.conference, unit: unit.id, title: random.pick(VietnameseNames.conferences),
                              sessions: Int.random(in: 1...2, using: &random), attendees: Int.random(in: audience, using: &random)),
                    on: try Self.weekday(in: working, &random))
            }
            for _ in 0..<Int.random(in: trainings, using: &random) {
                add(.activity(.training, unit: unit.id, title: random.pick(VietnameseNames.trainings),
                              sessions: Int.random(in: 1...3, using: &random), attendees: Int.random(in: 20...70, using: &random)),
                    on: try Self.weekday(in: working, &random))
            }
            for _ in 0..<Int.random(in: documents, using: &random) {
                add(.activity(.document, unit: unit.id, title: random.pick(VietnameseNames.documents), sessions: 1, attendees: 0),
                    on: try Self.weekday(in: working, &random))
            }
        }
        if working.lowerBound <= working.upperBound {
            try activities(for: province.unit, conferences: 3...4, audience: 150...300, trainings: 2...3, documents: 8...12)
            for district in province.districts {
                try activities(for: district.unit, conferences: 3...5, audience: 80...250, trainings: 2...4, documents: 6...12)
            }
            for commune in province.allCommunes {
                try activities(for: commune.unit, conferences: 6...10, audience: 40...150, trainings: 1...3, documents: 3...8)
                for hamlet in commune.hamlets { try activities(for: hamlet, conferences: 1...3, audience: 20...60, trainings: 0...0, documents: 0...0) }
            }
        }

        // Deadlines the province assigns to every district and commune standing on the
        // day it sets them.
        func assign(_ event: Event, on day: CivilDate) {
            if days.contains(day) { add(event, on: day) }
        }
        let territorial = province.districts.map(\.unit) + province.allCommunes.map(\.unit)
        for unit in territorial {
            assign(.deadline(unit: unit.id, kind: .registrationClosing, title: "Đăng ký mô hình “Dân vận khéo” năm \(year)", due: try d(31, 3)), on: try d(2, 1))
            assign(.deadline(unit: unit.id, kind: .sixMonthReview, title: "Báo cáo sơ kết 6 tháng đầu năm \(year)", due: try d(16, 6)), on: try d(15, 5))
            assign(.deadline(unit: unit.id, kind: .annualSummary, title: "Báo cáo tổng kết năm \(year)", due: try d(20, 11)), on: try d(15, 10))
        }
        for district in province.districts {
            assign(.deadline(unit: district.unit.id, kind: .evaluation, title: "Đánh giá, công nhận mô hình “Dân vận khéo” năm \(year)", due: try d(31, 10)), on: try d(1, 10))
        }

        // Inspections: the province visits two communes of each district in spring;
        // each district visits others in the autumn (on the two-tier tree the province
        // does, by groups of communes); one hasty plan cannot fit.
        func delegations(_ count: Int, of body: String) -> [InspectionPlan.Delegation] {
            (1...count).map { number in
                let people = (0..<Int.random(in: 3...4, using: &random)).map { _ in VietnameseNames.person(&random) }
                return InspectionPlan.Delegation(id: Int64(number), name: "Đoàn kiểm tra số \(number) \(body)", leader: people[0], members: Array(Set(people)).sorted())
            }
        }
        // Who plans for which communes: each district for its own, or the province for
        // groups of five.
        let groups: [(issuer: OrgUnit, body: String, title: String, communes: [DemoProvince.Commune])] = province.districts.isEmpty
            ? stride(from: 0, to: province.communes.count, by: 5).enumerated().map { number, start in
                (province.unit, "của tỉnh, đợt \(number + 1)", "của tỉnh, đợt \(number + 1)",
                 Array(province.communes[start..<min(start + 5, province.communes.count)]))
            }
            : province.districts.map { ($0.unit, "huyện \($0.place)", "của \($0.unit.name)", $0.communes) }
        var inspectedBySpring = Set<Int64>()
        let spring = groups.flatMap { $0.communes.shuffled(using: &random).prefix(2).map(\.unit.id) }
        inspectedBySpring.formUnion(spring)
        assign(.plan(InspectionPlan(
            issuingUnit: province.unit.id, delegations: delegations(3, of: "của Ban Chỉ đạo tỉnh"), targets: spring,
            firstDay: try d(14, 4), lastDay: try d(30, 5), slots: [.morning, .afternoon], visitsPerDelegationPerDay: 1,
            holidays: [InspectionPlan.Holiday(name: "Giải phóng miền Nam và Quốc tế Lao động", first: try d(30, 4), last: try d(1, 5))]
        ), title: "Kế hoạch kiểm tra thực hiện phong trào thi đua “Dân vận khéo” năm \(year) của tỉnh"), on: try Self.weekday(in: d(10, 3)...d(14, 3), &random))
        for group in groups {
            let targets = group.communes.map(\.unit.id).filter { !inspectedBySpring.contains($0) && random.chance(0.7) }
            guard !targets.isEmpty else { continue }
            assign(.plan(InspectionPlan(
                issuingUnit: group.issuer.id, delegations: delegations(2, of: group.body), targets: targets,
                firstDay: try d(1, 9), lastDay: try d(24, 10), slots: [.morning], visitsPerDelegationPerDay: 1,
                holidays: [InspectionPlan.Holiday(name: "Quốc khánh", first: try d(1, 9), last: try d(2, 9))]
            ), title: "Kế hoạch kiểm tra mô hình “Dân vận khéo” năm \(year) \(group.title)"), on: try Self.weekday(in: d(4, 8)...d(8, 8), &random))
        }
        if let group = groups.last, let commune = group.communes.first {
            // A district checks a commune's hamlets at two days' notice; on the two-tier
            // tree the commune checks its own.
            assign(.plan(InspectionPlan(
                issuingUnit: province.districts.isEmpty ? commune.unit.id : group.issuer.id, delegations: delegations(1, of: "đột xuất"),
                targets: commune.hamlets.map(\.id), firstDay: try d(3, 11), lastDay: try d(4, 11), slots: [.morning], visitsPerDelegationPerDay: 1
            ), title: "Kế hoạch kiểm tra đột xuất các \(province.region.hamlet.lowercased()) của \(commune.unit.name)"), on: try d(27, 10))
        }
    }

    private mutating func add(_ event: Event, on day: CivilDate) {
        events[day.dayNumber, default: []].append(event)
    }

    /// registered → implementing → evaluated → recognised or not → commended, replicated.
    private mutating func lifecycle(_ index: Int, registered: CivilDate, _ random: inout SeededGenerator) throws {
        guard random.chance(0.95) else { return }
        add(.step(index: index, .implementing), on: registered.adding(days: Int.random(in: 7...30, using: &random)))
        guard random.chance(0.85) else { return }
        let evaluated = try Self.weekday(in: CivilDate(year: year, month: 9, day: 1)...CivilDate(year: year, month: 10, day: 31), &random)
        add(.step(index: index, .evaluated), on: evaluated)
        let decided = evaluated.adding(days: Int.random(in: 7...25, using: &random))
        guard random.chance(0.64) else {
            add(.step(index: index, .notRecognised), on: decided)
            return
        }
        add(.step(index: index, .recognised), on: decided)
        if random.chance(0.2) {
            add(.step(index: index, .commended), on: try Self.weekday(in: CivilDate(year: year, month: 12, day: 1)...CivilDate(year: year, month: 12, day: 12), &random))
        }
        if random.chance(0.1) {
            add(.step(index: index, .replicated), on: try Self.weekday(in: CivilDate(year: year, month: 12, day: 15)...CivilDate(year: year, month: 12, day: 26), &random))
        }
    }

    /// Police models lean to defence and security, party committees' to the political
    /// system; elsewhere the mix resembles the seeds' (about 53 / 33 / 10 / 4 %).
    private static func field(for kind: OrgUnit.Kind, _ random: inout SeededGenerator) -> Model.Field {
        let roll = Double.random(in: 0..<1, using: &random)
        switch kind {
        case .police: return roll < 0.8 ? .defenceSecurity : .cultureSociety
        case .partyCommittee: return roll < 0.6 ? .politicalSystem : roll < 0.8 ? .economy : .cultureSociety
        default: return roll < 0.53 ? .economy : roll < 0.86 ? .cultureSociety : roll < 0.96 ? .defenceSecurity : .politicalSystem
        }
    }

    static func weekday(in range: ClosedRange<CivilDate>, _ random: inout SeededGenerator) throws -> CivilDate {
        let day = CivilDate(dayNumber: Int.random(in: range.lowerBound.dayNumber...range.upperBound.dayNumber, using: &random))
        // Saturday and Sunday move to the Monday after (or the Friday before at the end).
        let moved = day.isoWeekday == 6 ? day.adding(days: 2) : day.isoWeekday == 7 ? day.adding(days: 1) : day
        return moved <= range.upperBound ? moved : day.adding(days: -(day.isoWeekday - 5))
    }
}
