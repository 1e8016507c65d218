import DanVan

/// Words for the demo's generated province: place names composed the way the Mekong
/// delta's are, people's names, and the kinds of models and activities units report.
enum VietnameseNames {
    /// Provinces whose territory the 2025 reorganisation left as it was (Resolution
    /// 202/2025/QH15 merged the other 52 of the 63 into 23 from 01/07/2025): the demo
    /// lives through 2025 and beyond with one province, merging its communes and ending
    /// its districts as the country did, so its name must be one that still stands.
    /// Hà Nội and Huế, also unchanged, are centrally run cities, not "Tỉnh".
    static let provinces = [
        "Hà Tĩnh", "Nghệ An", "Thanh Hóa", "Quảng Ninh", "Lạng Sơn", "Cao Bằng", "Sơn La", "Điện Biên", "Lai Châu",
    ]

    /// Where each of `provinces` lies, for its hamlets' words.
    static func region(of province: String) -> VietnameseStyle.Region {
        switch province {
        case "Hà Tĩnh", "Nghệ An", "Thanh Hóa": .central
        default: .north
        }
    }

    static let placeSyllables = [
        "An", "Bình", "Hòa", "Phú", "Long", "Tân", "Thạnh", "Mỹ", "Đức", "Hưng", "Phước", "Thới", "Lộc", "Thuận",
        "Hiệp", "Nhơn", "Khánh", "Vĩnh", "Trung", "Đông", "Tây", "Lợi", "Thành", "Quang", "Xuân", "Hải", "Sơn",
        "Lâm", "Hậu", "Định", "Phong", "Cẩm", "Trường", "Nghĩa", "Tường", "Kim", "Hội", "Phương", "Đại", "Huề",
    ]

    static let families = [
        "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Thạch",
        "Kim", "Trương", "Phan", "Châu", "Lâm", "Diệp",
    ]
    static let menMiddle = ["Văn", "Minh", "Hữu", "Quốc", "Thanh", "Công", "Đức"]
    static let womenMiddle = ["Thị", "Ngọc", "Thanh", "Kim", "Mỹ", "Thị Kim"]
    static let menGiven = [
        "Hùng", "Dũng", "Tuấn", "Sơn", "Bình", "Phúc", "Nam", "Hải", "Long", "Tài", "Thắng", "Khang", "Út", "Tâm",
        "Lực", "Hiếu", "Trí", "Nhân", "Quý", "Vũ",
    ]
    static let womenGiven = [
        "Lan", "Mai", "Hoa", "Hạnh", "Thảo", "Nga", "Hồng", "Yến", "Trang", "Loan", "Phượng", "Nhung", "Diễm",
        "Thủy", "Cúc", "Huệ", "Xuân", "Ánh",
    ]

    /// A two-syllable place name not in `used`.
    static func place(_ random: inout SeededGenerator, avoiding used: inout Set<String>) -> String {
        while true {
            let first = random.pick(placeSyllables)
            let second = random.pick(placeSyllables)
            let name = "\(first) \(second)"
            if first != second, used.insert(name).inserted { return name }
        }
    }

    static func person(_ random: inout SeededGenerator) -> String {
        let woman = random.chance(0.5)
        return [
            random.pick(families),
            random.pick(woman ? womenMiddle : menMiddle),
            random.pick(woman ? womenGiven : menGiven),
        ].joined(separator: " ")
    }

    /// Model titles by field, as units name them in their registrations.
    static let modelTitles: [String: [String]] = [
        "economy": [
            "Nuôi tôm càng xanh xen canh lúa", "Tổ hợp tác trồng rau an toàn", "Chăn nuôi bò sinh sản",
            "Hợp tác xã dừa sáp", "Trồng cây ăn trái theo tiêu chuẩn VietGAP", "Nuôi ếch thương phẩm",
            "Giúp nhau thoát nghèo bằng nuôi gà thả vườn", "Tổ vay vốn xoay vòng không lãi", "Đan lục bình xuất khẩu",
            "Chuyển đất lúa kém hiệu quả sang trồng màu", "Chi hội nông dân nghề nghiệp nuôi dê",
            "Sản phẩm OCOP bánh tét lá cẩm", "Liên kết tiêu thụ lúa chất lượng cao", "Trồng nấm rơm quanh năm",
        ],
        "culture_society": [
            "Tuyến đường hoa nông thôn mới", "Câu lạc bộ gia đình hạnh phúc", "Quỹ khuyến học dòng họ",
            "Thắp sáng đường quê", "Tủ sách pháp luật ở ấp", "Bữa cơm nghĩa tình cho bệnh nhân nghèo",
            "Phân loại rác thải tại nguồn", "Câu lạc bộ đờn ca tài tử", "Cất nhà đại đoàn kết cho hộ khó khăn",
            "Xây cầu giao thông nông thôn", "Hũ gạo tình thương", "Lớp học tình thương cho trẻ em khó khăn",
        ],
        "defence_security": [
            "Tổ tự quản an ninh trật tự", "Camera an ninh khu dân cư", "Ấp không có tội phạm ma túy",
            "Tổ hòa giải ở cơ sở", "Dân quân tham gia giữ gìn trật tự giao thông", "Cổng rào an ninh",
            "Cảm hóa, giáo dục người lầm lỗi tại cộng đồng", "Liên kết phòng chống tội phạm vùng giáp ranh",
        ],
        "political_system": [
            "Tiếp dân ngày thứ Bảy", "Chi bộ ấp kiểu mẫu", "Dân vận khéo trong cải cách thủ tục hành chính",
            "Đối thoại định kỳ giữa lãnh đạo xã và nhân dân", "Cán bộ bám ấp, nắm dân", "Bộ phận một cửa thân thiện",
        ],
    ]

    static let conferences = [
        "Hội nghị triển khai phong trào thi đua “Dân vận khéo”", "Hội nghị đối thoại giữa lãnh đạo và nhân dân",
        "Hội nghị học tập, quán triệt nghị quyết", "Hội nghị sơ kết công tác dân vận quý", "Hội nghị biểu dương điển hình dân vận khéo",
    ]
    static let trainings = [
        "Lớp tập huấn công tác dân vận cho cán bộ cơ sở", "Tập huấn kỹ năng vận động quần chúng",
        "Bồi dưỡng nghiệp vụ cho tổ hòa giải", "Tập huấn chuyển đổi số cho cán bộ ấp",
    ]
    static let documents = [
        "Kế hoạch thực hiện phong trào thi đua “Dân vận khéo”", "Hướng dẫn đăng ký, đánh giá mô hình “Dân vận khéo”",
        "Công văn đôn đốc báo cáo kết quả thực hiện", "Quyết định kiện toàn Ban Chỉ đạo", "Thông báo kết luận kiểm tra",
    ]

    static let findings = [
        "Đơn vị triển khai phong trào nghiêm túc, có kế hoạch cụ thể.",
        "Mô hình được nhân dân đồng tình hưởng ứng, hiệu quả rõ nét.",
        "Hồ sơ đăng ký mô hình đầy đủ, đúng hướng dẫn.",
        "Công tác tuyên truyền còn ít, chưa đến được các hộ ở xa.",
    ]
    static let recommendations = [
        "Bổ sung sổ theo dõi kết quả thực hiện mô hình.",
        "Đánh giá, lượng hóa hiệu quả mô hình bằng số liệu cụ thể.",
        "Tăng cường tuyên truyền trên hệ thống loa truyền thanh ấp.",
        "Hoàn thiện hồ sơ đề nghị công nhận trước ngày 31/10.",
    ]
}
