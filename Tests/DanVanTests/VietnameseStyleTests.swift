import DanVan
import Testing

/// Figures and names as officials write them in reports.
@Suite("Vietnamese style")
struct VietnameseStyleTests {
    @Test(arguments: [(4819, "4.819"), (11218, "11.218"), (890, "890"), (0, "0"), (1_000, "1.000"), (-1_234_567, "-1.234.567")])
    func thousandsAreGroupedWithDots(_ value: Int, _ written: String) {
        #expect(VietnameseStyle.number(value) == written)
    }

    @Test func decimalsTakeACommaAndRound() {
        #expect(VietnameseStyle.decimal(57.69) == "57,7")
        #expect(VietnameseStyle.decimal(40) == "40,0")
        #expect(VietnameseStyle.decimal(99.96) == "100,0")
        #expect(VietnameseStyle.decimal(1234.5) == "1.234,5")
        #expect(VietnameseStyle.decimal(0.05, places: 2) == "0,05")
    }

    /// "toàn huyện Hậu Phương": the level's word is a common noun inside a sentence; an
    /// organisation's name is a proper name.
    @Test func administrativeWordsAreLowerCasedMidSentence() {
        #expect(VietnameseStyle.midSentence("Huyện Hậu Phương") == "huyện Hậu Phương")
        #expect(VietnameseStyle.midSentence("Thành phố Huề Vĩnh") == "thành phố Huề Vĩnh")
        #expect(VietnameseStyle.midSentence("Tổ dân phố 5") == "tổ dân phố 5")
        #expect(VietnameseStyle.midSentence("Xã Mỹ Cẩm") == "xã Mỹ Cẩm")
        #expect(VietnameseStyle.midSentence("Đặc khu Phú Quốc") == "đặc khu Phú Quốc")
        #expect(VietnameseStyle.midSentence("Hội Nông dân xã Mỹ Cẩm") == "Hội Nông dân xã Mỹ Cẩm")
        #expect(VietnameseStyle.midSentence("Xãhội") == "Xãhội", "only a whole word")
        #expect(VietnameseStyle.titleLine("Báo cáo tổng kết năm 2025 phong trào thi đua “Dân vận khéo”") == "BÁO CÁO TỔNG KẾT NĂM 2025 PHONG TRÀO THI ĐUA “DÂN VẬN KHÉO”")
    }

    /// Ấp and khóm in the south; thôn and tổ dân phố in the north and centre.
    @Test func hamletsGoByTheirRegionsWords() {
        #expect(VietnameseStyle.Region.south.hamlet == "Ấp" && VietnameseStyle.Region.south.quarter == "Khóm")
        #expect(VietnameseStyle.Region.north.hamlet == "Thôn" && VietnameseStyle.Region.north.quarter == "Tổ dân phố")
        #expect(VietnameseStyle.Region.north.hamletWords(in: "Chi bộ ấp kiểu mẫu") == "Chi bộ thôn kiểu mẫu")
        #expect(VietnameseStyle.Region.central.hamletWords(in: "Ấp không có tội phạm ma túy") == "Thôn không có tội phạm ma túy")
        #expect(VietnameseStyle.Region.north.hamletWords(in: "Hợp tác xã Ấpxanh") == "Hợp tác xã Ấpxanh", "whole words only")
        #expect(VietnameseStyle.Region.south.hamletWords(in: "Chi bộ ấp kiểu mẫu") == "Chi bộ ấp kiểu mẫu")
    }
}
