import Foundation
import SwiftUI
import DesmigCore

// DesmigCore has a record named `Text` (a label in Indonesian and English). Declarations of this
// module shadow imported ones, so `Text` in the app is SwiftUI's view and the core's record is
// `BilingualText`.
typealias Text = SwiftUI.Text
typealias BilingualText = DesmigCore.Text

/// Strings of Localizable.strings (Indonesian by default, English in en.lproj).
enum L10n {
    static func string(_ key: String) -> String {
        NSLocalizedString(key, comment: "")
    }

    /// A string with `%@` placeholders filled with `args`.
    static func format(_ key: String, _ args: [String]) -> String {
        let format = string(key)
        guard !args.isEmpty else { return format }
        return String(format: format, arguments: args.map { $0 as CVarArg })
    }

    /// The label of a stable code (`prefix` + code), or the code itself when the app has none.
    static func label(_ prefix: String, _ code: String) -> String {
        let key = prefix + code
        let value = string(key)
        return value == key ? code : value
    }
}

/// The language the app shows: its resolved localization, Indonesian unless it is English.
enum AppLanguage {
    case id, en

    static var current: AppLanguage {
        (Bundle.main.preferredLocalizations.first ?? "id").hasPrefix("en") ? .en : .id
    }
}

extension BilingualText {
    /// The label in the device's language: checklist labels come from the template, never the app.
    var localized: String {
        switch AppLanguage.current {
        case .en: return en.isEmpty ? id : en
        case .id: return id.isEmpty ? en : id
        }
    }
}
