import OfficeFiles

/// How officials write figures and names in a report: "." between thousands and ","
/// before decimals (4.819; 57,7%), the movement's name in typographic quotes
/// (“Dân vận khéo”), an administrative word lower-cased inside a sentence ("toàn
/// huyện Hậu Phương": it is a common noun there), and a document's title line in
/// capitals.
public enum VietnameseStyle {
    /// The movement's name as documents set it.
    public static let movement = "“Dân vận khéo”"

    /// 4819 → "4.819", 11218 → "11.218".
    public static func number(_ value: Int) -> String { OfficeNumber.grouped(value) }

    /// 57.7 → "57,7".
    public static func decimal(_ value: Double, places: Int = 1) -> String { OfficeNumber.decimal(value, places: places) }

    /// The words that name a level of government or a residential area, longest first.
    static let administrativeWords = [
        "Tổ dân phố", "Thành phố", "Thị trấn", "Khu phố", "Đặc khu", "Thị xã", "Tỉnh", "Huyện", "Quận", "Phường", "Xã",
        "Ấp", "Khóm", "Thôn", "Xóm", "Bản", "Buôn", "Làng",
    ]

    /// A unit's name as it reads inside a sentence: "Huyện Hậu Phương" → "huyện Hậu
    /// Phương", "Thành phố Huề Vĩnh" → "thành phố Huề Vĩnh". Organisations' names
    /// ("Hội Nông dân xã Mỹ Cẩm") are proper names and stay as they are.
    public static func midSentence(_ unitName: String) -> String {
        for word in administrativeWords where unitName.hasPrefix(word + " ") {
            return word.lowercased() + unitName.dropFirst(word.count)
        }
        return unitName
    }

    /// A title line: every letter in capitals, the quotes and dashes as they are.
    public static func titleLine(_ text: String) -> String { text.uppercased() }
}

extension VietnameseStyle {
    /// Where a province lies, for the words its hamlets go by: in the south a village's
    /// hamlet is an "ấp" and a town's quarter a "khóm"; in the north and centre a
    /// "thôn" (or "xóm", "bản") and a "tổ dân phố".
    public enum Region: String, Sendable, CaseIterable {
        case north, central, south

        /// The word a hamlet's name begins with: "Ấp Mỹ Hòa", "Thôn Đông".
        public var hamlet: String { self == .south ? "Ấp" : "Thôn" }
        /// The word an urban quarter's name begins with: "Khóm 3", "Tổ dân phố 3".
        public var quarter: String { self == .south ? "Khóm" : "Tổ dân phố" }

        /// `text` with the southern hamlet word put in this region's ("Chi bộ ấp kiểu
        /// mẫu" → "Chi bộ thôn kiểu mẫu"), whole words only.
        public func hamletWords(in text: String) -> String {
            guard self != .south else { return text }
            var words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            for index in words.indices {
                if words[index] == "ấp" { words[index] = hamlet.lowercased() }
                if words[index] == "Ấp" { words[index] = hamlet }
            }
            return words.joined(separator: " ")
        }
    }
}
