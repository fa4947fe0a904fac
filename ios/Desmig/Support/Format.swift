import Foundation
import DesmigCore

/// How values are written on screen. Presentation only: the values themselves come from core,
/// and so do the words of dates, months and countries (`dateLabel`, `monthLabel`, `country`).
enum Format {
    /// Whole rupiah as Indonesians write them: `Rp 10.000.000` (the Android app's `formatRupiah`).
    static func rupiah(_ amount: Int64) -> String {
        let digits = String(amount.magnitude)
        var grouped = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(".") }
            grouped.append(character)
        }
        return (amount < 0 ? "-Rp " : "Rp ") + grouped
    }

    private static let isoDay: DateFormatter = {
        let f = DateFormatter()
        f.calendar = Calendar(identifier: .gregorian)
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone.current
        f.dateFormat = "yyyy-MM-dd"
        return f
    }()

    private static let isoMonth: DateFormatter = {
        let f = DateFormatter()
        f.calendar = Calendar(identifier: .gregorian)
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone.current
        f.dateFormat = "yyyy-MM"
        return f
    }()

    /// `YYYY-MM-DD`, the core's date format, of a day picked on screen.
    static func isoDate(_ date: Date) -> String { isoDay.string(from: date) }

    /// `YYYY-MM`, the core's month format.
    static func isoMonthString(_ date: Date) -> String { isoMonth.string(from: date) }

    static func parseIsoDate(_ text: String) -> Date? { isoDay.date(from: text) }

    static func parseIsoMonth(_ text: String) -> Date? { isoMonth.date(from: text) }

    /// Today on this phone, `YYYY-MM-DD`.
    static func today() -> String { isoDate(Date()) }

    /// A core date (`YYYY-MM-DD`) as the core words it (`2 Desember 2026`) in the app's
    /// language, or as stored when it is not a date.
    static func day(_ iso: String) -> String {
        (try? dateLabel(date: iso))?.localized ?? iso
    }

    /// A core month (`YYYY-MM`) as a heading reads (`Desember 2026`) in the app's language.
    static func month(_ iso: String) -> String {
        (try? monthLabel(month: iso))?.localized ?? iso
    }

    /// A country's name for its ISO code (`MY`: Malaysia) in the app's language; the code
    /// itself when the core knows no such country.
    static func countryName(_ code: String) -> String {
        DesmigCore.country(code: code)?.name.localized ?? code
    }

    /// A core timestamp (milliseconds since 1970) as date and time.
    static func timestamp(_ unixMs: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(unixMs) / 1000)
            .formatted(date: .abbreviated, time: .shortened)
    }
}
