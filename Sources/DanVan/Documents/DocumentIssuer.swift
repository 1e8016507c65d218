public import OfficeFiles
public import PostgresClient

/// Who issues a unit's documents, as the heading, the number and the signature name
/// them on a given day. The office that runs the movement differs by level and by
/// date:
///
/// - a province: the provincial party committee's Ban Dân vận ("BAN DÂN VẬN", symbol
///   BDVTU) until 28/02/2025; from 01/03/2025 the merged Ban Tuyên giáo và Dân vận
///   ("BTGDVTU"). Each province merged its two boards by its own decision in February
///   or March 2025 (Tiền Giang announced it on 06/02, Bắc Giang's took effect on
///   01/03); 01/03/2025 stands for all of them until a province's own day is stored;
/// - a district (until 30/06/2025): the district committee's Ban Dân vận ("BDVHU";
///   "BDVTU" under a city's Thành ủy, "BDVThU" under a town's Thị ủy);
/// - a commune or ward: its party committee ("ĐẢNG ỦY XÃ …", symbol ĐU), under the
///   district's party organisation before 01/07/2025 and the province's since;
/// - any other unit (a body of its own): its own name, under its parent's.
public struct DocumentIssuer: Sendable, Equatable {
    public var superior: String
    public var issuer: String
    /// The issuer as a sentence names it: "Ban Tuyên giáo và Dân vận Tỉnh ủy".
    public var name: String
    /// The issuing body's abbreviation after the slash: "BTGDVTU".
    public var bodySymbol: String
    /// The place in the date line: "Trà Vinh".
    public var place: String
    public var signature: OfficeDocument.Signature
    /// "Nơi nhận" before the units a document itself adds: the office above (to
    /// report to), the committee's standing members.
    public var reportsTo: [String]

    /// The first day of the provinces' merged Ban Tuyên giáo và Dân vận.
    static let mergedBoardsSince = try! CivilDate(year: 2025, month: 3, day: 1)

    public static func of(unit: Int64, on day: CivilDate, in executor: some PostgresExecutor) throws -> DocumentIssuer {
        guard let row = try executor.query(
            """
            SELECT u.kind::text AS kind, danvan.unit_name_on(u.id, $2::date) AS name, p.kind::text AS parent_kind,
                   danvan.unit_name_on(p.id, $2::date) AS parent_name, danvan.unit_name_on(u.path[1], $2::date) AS province_name
            FROM danvan.units AS u
            LEFT JOIN danvan.unit_links AS l ON l.unit_id = u.id AND l.valid_from <= $2::date AND (l.valid_until IS NULL OR l.valid_until > $2::date)
            LEFT JOIN danvan.units AS p ON p.id = l.parent_id
            WHERE u.id = $1
            """,
            unit, day.iso
        ).first else { throw DocumentError.unitNotFound(unit) }
        let kind = OrgUnit.Kind(rawValue: try row.decode("kind")) ?? .agency
        let name: String = try row.decode("name")
        let parentName: String? = try row.decode("parent_name")
        let parentKind = try row.decode("parent_kind", as: String?.self).flatMap(OrgUnit.Kind.init(rawValue:))
        let provinceName: String = try row.decode("province_name", as: String?.self) ?? name
        return make(kind: kind, name: name, parentKind: parentKind, parentName: parentName, provinceName: provinceName, on: day)
    }

    /// The rules above, on names already read (pure, for tests).
    static func make(
        kind: OrgUnit.Kind, name: String, parentKind: OrgUnit.Kind?, parentName: String?, provinceName: String, on day: CivilDate
    ) -> DocumentIssuer {
        let merged = day >= mergedBoardsSince
        let provinceBoard = merged ? "Ban Tuyên giáo và Dân vận Tỉnh ủy" : "Ban Dân vận Tỉnh ủy"
        let (word, place) = split(name)
        switch kind {
        case .province:
            return DocumentIssuer(
                superior: upper("Tỉnh ủy \(place)"), issuer: merged ? "BAN TUYÊN GIÁO VÀ DÂN VẬN" : "BAN DÂN VẬN", name: "\(provinceBoard) \(place)",
                bodySymbol: merged ? "BTGDVTU" : "BDVTU", place: place,
                signature: .init(onBehalfOf: "", position: "TRƯỞNG BAN", name: ""),
                reportsTo: [merged ? "Ban Tuyên giáo và Dân vận Trung ương (b/c)" : "Ban Dân vận Trung ương (b/c)", "Thường trực Tỉnh ủy (b/c)"]
            )
        case .district:
            let committee = word == "Thành phố" ? "Thành ủy" : word == "Thị xã" ? "Thị ủy" : "Huyện ủy"
            let symbol = word == "Thành phố" ? "BDVTU" : word == "Thị xã" ? "BDVThU" : "BDVHU"
            return DocumentIssuer(
                superior: upper("\(committee) \(place)"), issuer: "BAN DÂN VẬN", name: "Ban Dân vận \(committee) \(place)", bodySymbol: symbol, place: place,
                signature: .init(onBehalfOf: "", position: "TRƯỞNG BAN", name: ""),
                reportsTo: ["\(provinceBoard) (b/c)", "Thường trực \(committee) (b/c)"]
            )
        case .commune:
            let above = parentName.map { parentKind == .province ? "Đảng bộ tỉnh \(split($0).place)" : "Đảng bộ \(VietnameseStyle.midSentence($0))" }
                ?? "Đảng bộ tỉnh \(split(provinceName).place)"
            let reportsTo = parentKind == .district || parentKind == nil && day < OrgUnit.twoTierSince
                ? parentName.map { "Ban Dân vận \(committee(ofDistrict: $0)) (b/c)" } ?? "\(provinceBoard) (b/c)"
                : "\(provinceBoard) (b/c)"
            return DocumentIssuer(
                superior: upper(above), issuer: upper("Đảng ủy \(VietnameseStyle.midSentence(name))"),
                name: "Đảng ủy \(VietnameseStyle.midSentence(name))", bodySymbol: "ĐU", place: place,
                signature: .init(onBehalfOf: "T/M BAN THƯỜNG VỤ", position: "PHÓ BÍ THƯ", name: ""),
                reportsTo: [reportsTo, "Thường trực Đảng ủy (b/c)"]
            )
        default:
            let initials = name.split(separator: " ").compactMap { $0.first }.filter(\.isLetter).map { String($0).uppercased() }.joined()
            return DocumentIssuer(
                superior: parentName.map(upper) ?? "", issuer: upper(name), name: name, bodySymbol: String(initials.prefix(12)).isEmpty ? "VP" : String(initials.prefix(12)),
                place: split(provinceName).place,
                signature: .init(onBehalfOf: "", position: "THỦ TRƯỞNG", name: ""),
                reportsTo: parentName.map { ["\($0) (b/c)"] } ?? []
            )
        }
    }

    static func committee(ofDistrict name: String) -> String {
        let (word, place) = split(name)
        return "\(word == "Thành phố" ? "Thành ủy" : word == "Thị xã" ? "Thị ủy" : "Huyện ủy") \(place)"
    }

    /// "Huyện Càng Long" → ("Huyện", "Càng Long"); a name with no administrative word
    /// is all place.
    static func split(_ name: String) -> (word: String, place: String) {
        for word in VietnameseStyle.administrativeWords where name.hasPrefix(word + " ") {
            return (word, String(name.dropFirst(word.count + 1)))
        }
        return ("", name)
    }

    /// Capitals, as headings set bodies' names ("TỈNH ỦY TRÀ VINH").
    static func upper(_ text: String) -> String { text.uppercased() }

    /// "Số 15-BC/BTGDVTU"; a draft's number is left blank to be written in on issue.
    public func numberLine(kindSymbol: String, number: Int?) -> String {
        "Số " + (number.map(String.init) ?? "      ") + "-\(kindSymbol)/\(bodySymbol)"
    }

    /// "Trà Vinh, ngày 05 tháng 02 năm 2026": days below 10 and the months January and
    /// February with a leading zero, as the guidance writes dates in the heading; a
    /// draft leaves day and month blank.
    public func placeAndDate(_ day: CivilDate?, year: Int) -> String {
        guard let day else { return "\(place), ngày      tháng      năm \(year)" }
        let dd = day.day < 10 ? "0\(day.day)" : "\(day.day)"
        let mm = day.month < 3 ? "0\(day.month)" : "\(day.month)"
        return "\(place), ngày \(dd) tháng \(mm) năm \(day.year)"
    }

    /// The heading for a document of `kind`: numbered and dated once issued.
    public func heading(kindSymbol: String, number: Int?, day: CivilDate?, year: Int) -> OfficeDocument.Heading {
        OfficeDocument.Heading(
            superior: superior, issuer: issuer, number: numberLine(kindSymbol: kindSymbol, number: number),
            placeAndDate: placeAndDate(day, year: year)
        )
    }
}
