/// The notice a commune gets of a visit, worded as an office writes it: the half-day
/// and date, the delegation and its head with the head's position, the plan it follows
/// (without "kế hoạch" twice when the plan's title already begins with it), and the
/// remedy rule, each sentence on its own.
///
/// "Sáng ngày 05/08/2025, Đoàn kiểm tra số 1 do đồng chí Lê Văn Bình, Phó Trưởng Ban
/// Dân vận Huyện ủy, làm trưởng đoàn đến làm việc theo Kế hoạch kiểm tra công tác dân
/// vận năm 2025. Các kiến nghị sau kiểm tra (nếu có) phải khắc phục trong 30 ngày kể
/// từ ngày kiểm tra."
struct VisitNotice {
    let slot: String
    let day: CivilDate
    let delegation: String
    let leader: String
    let position: String
    let planTitle: String
    let remedyDays: Int

    var text: String {
        let head = position.isEmpty ? "đồng chí \(leader)" : "đồng chí \(leader), \(position),"
        let plan = planTitle.lowercased().hasPrefix("kế hoạch") ? planTitle : "kế hoạch \u{201C}\(planTitle)\u{201D}"
        return "\(slot) ngày \(day), \(delegation) do \(head) làm trưởng đoàn đến làm việc theo \(plan). "
            + "Các kiến nghị sau kiểm tra (nếu có) phải khắc phục trong \(remedyDays) ngày kể từ ngày kiểm tra."
    }
}
