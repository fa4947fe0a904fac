import Foundation
import DesmigCore

// The core's status cards in words: every key (`card_capital`, `capital_disbursed`,
// `prakerja_deadline_soon`, `source_village_fund`, `market_export`) is a Localizable.strings key,
// the same as the Android app's; numbers come as values, and dates and countries in the core's
// words (Format.day, Format.countryName).

enum CardText {
    /// A key of a card in words; the key itself when the app has none (a newer core).
    static func key(_ key: String) -> String { L10n.string(key) }

    /// One line of a card.
    static func line(_ line: CardLine) -> String {
        switch line {
        case .wave(let wave):
            return L10n.format("detail_wave", [String(wave)])
        case .purchaseDeadline(let date, let daysLeft):
            return L10n.format("line_purchase_deadline", [Format.day(date), String(daysLeft)])
        case .incentive(let instalments, let rupiah):
            return L10n.format("line_incentive", [String(instalments), Format.rupiah(rupiah)])
        case .provider(let text):
            return L10n.format("line_provider", [text])
        case .dates(let start, let end):
            return L10n.format("line_dates", [start.map(Format.day) ?? "…", end.map(Format.day) ?? "…"])
        case .certificate(let number):
            return L10n.format("training_certificate", [number])
        case .source(let sourceKey, let loan):
            return L10n.format(loan ? "line_source_loan" : "line_source_grant", [key(sourceKey)])
        case .amount(let amountKey, let rupiah):
            switch amountKey {
            case "line_requested": return L10n.format("detail_requested", [Format.rupiah(rupiah)])
            case "line_approved": return L10n.format("detail_approved", [Format.rupiah(rupiah)])
            case "line_disbursed": return L10n.format("detail_disbursed", [Format.rupiah(rupiah)])
            default: return Format.rupiah(rupiah)
            }
        case .rejection(let reason):
            return L10n.format("capital_rejection_reason", [reason])
        case .revenue(let rupiah):
            return L10n.format("detail_revenue", [Format.rupiah(rupiah)])
        case .workers(let count):
            return L10n.format("line_workers", [String(count)])
        case .salesThisMonth(let rupiah, let count):
            return L10n.format("line_sales_this_month", [Format.rupiah(rupiah), String(count)])
        case .furthestMarket(let marketKey, let country):
            if let country {
                return L10n.format("line_furthest_market_country", [key(marketKey), Format.countryName(country)])
            }
            return L10n.format("line_furthest_market", [key(marketKey)])
        }
    }

    /// The name of a field the core names in a problem (`disbursed_on`), for problems shown apart.
    static func field(_ name: String) -> String { L10n.label("field_", name) }
}

extension Shown {
    /// A stored value as a person reads it (a conflict's value, decided by the core): the words
    /// of an enum value's key, rupiah, a date or a country in the app's language, yes or no.
    var displayText: String {
        switch self {
        case .empty: return L10n.string("value_empty")
        case .key(let key): return L10n.string(key)
        case .rupiah(let rupiah): return Format.rupiah(rupiah)
        case .date(_, let label): return label.localized
        case .country(_, let name): return name.localized
        case .yesNo(let yes): return L10n.string(yes ? "answer_yes" : "answer_no")
        case .text(let words): return words
        }
    }
}

extension Conflict {
    /// The label of the field (`field_amount_disbursed`, the core's key); the field itself when
    /// the app has no words for it.
    var fieldLabel: String {
        // A training's `kind` is the training's, not the person's.
        let key = entity == "training" && fieldKey == "field_kind" ? "field_training_kind" : fieldKey
        let value = L10n.string(key)
        return value == key ? field : value
    }
}
