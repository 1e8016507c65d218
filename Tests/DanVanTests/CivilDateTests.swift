import DanVan
import Foundation
import Testing

@Suite("Civil dates")
struct CivilDateTests {
    @Test func dayNumbersRoundTripAndWeekdaysAreRight() throws {
        #expect(try CivilDate(year: 1970, month: 1, day: 1).dayNumber == 0)
        #expect(try CivilDate(parsing: "05/08/2021").isoWeekday == 4, "05/08/2021 was a Thursday")
        #expect(try CivilDate(parsing: "21/9/2022").isoWeekday == 3, "21/09/2022 was a Wednesday")
        #expect(try CivilDate(parsing: "12/10/2024").isWeekend, "12/10/2024 was a Saturday")
        // Every day of four centuries survives the round trip and steps by one.
        var previous = try CivilDate(year: 1899, month: 12, day: 31)
        for number in previous.dayNumber + 1...(try CivilDate(year: 2300, month: 1, day: 1)).dayNumber {
            let date = CivilDate(dayNumber: number)
            #expect(date.dayNumber == number)
            #expect(date > previous)
            #expect((date.isoWeekday - previous.isoWeekday + 7) % 7 == 1)
            previous = date
        }
        #expect(try CivilDate(parsing: "28/02/2024").adding(days: 1).description == "29/02/2024")
        #expect(try CivilDate(parsing: "28/02/2023").adding(days: 1).description == "01/03/2023")
        #expect(try CivilDate(parsing: "07/07/0738").description == "07/07/0738", "a year before 1000 still reads back")
    }

    @Test(arguments: ["31/04/2024", "29/02/2023", "2024-01-05", "5/8/21", "", "00/01/2024", "01/13/2024"])
    func impossibleDatesAreRefused(text: String) {
        #expect(throws: CivilDateError.self) { try CivilDate(parsing: text) }
    }
}

@Suite("Domain text")
struct DomainTextTests {
    @Test func vietnameseInNFDIsStoredAsNFC() throws {
        let decomposed = "Xa\u{0303} Ta\u{0302}n Ho\u{0300}a"
        let cleaned = try DomainText.clean(decomposed, field: "unit name")
        #expect(cleaned == "Xã Tân Hòa")
        #expect(cleaned.unicodeScalars.count == "Xã Tân Hòa".precomposedStringWithCanonicalMapping.unicodeScalars.count)
        #expect(Array(cleaned.utf8) == Array("Xã Tân Hòa".precomposedStringWithCanonicalMapping.utf8))
    }

    @Test func badTextIsRefusedWithTheFieldNamed() {
        #expect(throws: DomainTextError.controlCharacter(field: "model title", code: 7)) { try DomainText.clean("Mô hình\u{07}", field: "model title") }
        #expect(throws: DomainTextError.blank(field: "unit name")) { try DomainText.clean("   ", field: "unit name") }
        #expect(throws: DomainTextError.notUTF8(field: "unit name")) { try DomainText.clean(bytes: [0x58, 0xC3, 0x28], field: "unit name") }
        let error = #expect(throws: DomainTextError.self) { try DomainText.clean(String(repeating: "ấ", count: 10), field: "note", maxLength: 5) }
        #expect(error?.description == "the note is 10 characters long, over the limit of 5")
    }
}
