import DanVan

/// How the demo's units behave towards what the workers create: when each deadline is
/// met (early, at the last minute, late, never) and what each visit reports. Decided
/// from the seed and what the row says, so the same seed gives the same year however
/// the workers interleave.
enum DemoPolicy {
    /// The day the unit meets a deadline, or nil if it never does: half well ahead of
    /// the reminders, a quarter at the last minute, some late (after the escalation),
    /// one in ten never.
    static func completion(seed: UInt64, unit: Int64, kind: String, title: String, due: CivilDate) -> CivilDate? {
        let key = ["\(unit)", kind, title, due.iso]
        let behaviour = SeededGenerator.roll(seed, key + ["behaviour"])
        let spread = SeededGenerator.roll(seed, key + ["days"])
        switch behaviour {
        case ..<0.5: return due.adding(days: -(2 + Int(spread * 11)))
        case ..<0.75: return due.adding(days: -Int(spread * 2))
        case ..<0.9: return due.adding(days: 2 + Int(spread * 7))
        default: return nil
        }
    }

    struct VisitReport {
        var findings: String
        var recommendations: String
    }

    /// What a delegation reports after a visit; nil when it files nothing (the visit
    /// then stays planned, not done). Seven in ten leave recommendations to remedy.
    static func report(seed: UInt64, plan: String, unit: Int64) -> VisitReport? {
        let key = [plan, "\(unit)"]
        guard SeededGenerator.roll(seed, key + ["filed"]) < 0.93 else { return nil }
        let findings = VietnameseNames.findings
        let recommendations = VietnameseNames.recommendations
        let finding = findings[Int(SeededGenerator.roll(seed, key + ["finding"]) * Double(findings.count))]
        guard SeededGenerator.roll(seed, key + ["remedy"]) < 0.7 else { return VisitReport(findings: finding, recommendations: "") }
        let recommendation = recommendations[Int(SeededGenerator.roll(seed, key + ["recommendation"]) * Double(recommendations.count))]
        return VisitReport(findings: finding, recommendations: recommendation)
    }
}

extension SeededGenerator {
    static func roll(_ seed: UInt64, _ parts: [String]) -> Double {
        roll(seed, parts.joined(separator: "\u{1F}"))
    }
}
