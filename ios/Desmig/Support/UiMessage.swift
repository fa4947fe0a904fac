import Foundation
import DesmigCore

/// Something to tell the user, as a Localizable.strings key and its arguments. The keys are the
/// Android app's (`UiMessage` in android/shared): the same error means the same words.
struct UiMessage: Hashable {
    let key: String
    let args: [String]

    init(_ key: String, _ args: [String] = []) {
        self.key = key
        self.args = args
    }

    /// The message in the app's language.
    var text: String { L10n.format(key, args) }
}

/// Problems with a form, by field name or checklist item id, as the core reported them.
typealias FieldProblems = [String: [FieldError]]

extension Array where Element == FieldError {
    func byField() -> FieldProblems { Dictionary(grouping: self, by: { $0.field }) }
}

extension FieldError {
    /// The problem in words: the app's translation of the core's stable `code`, or the core's
    /// own (English) message when the app has no words for that code.
    var localized: String {
        let key = "problem_" + code
        let value = L10n.string(key)
        return value == key ? message : value
    }
}

/// What the user can do about an error from the core, in words a facilitator understands.
func uiMessage(for error: Error) -> UiMessage {
    if let error = error as? StoreKeyError { return error.message }
    guard let error = error as? DesmigError else {
        return UiMessage("error_unexpected", [String(describing: error)])
    }
    switch error {
    case .Validation(let errors): return UiMessage("error_validation", [String(errors.count)])
    case .NotFound: return UiMessage("error_not_found")
    // The person withdrew consent: nothing new is recorded for them (the core's stable code).
    case .NotAllowed("consent_withdrawn", _): return UiMessage("error_consent_withdrawn")
    case .NotAllowed(_, let reason): return UiMessage("error_not_allowed", [reason])
    case .Conflict(let reason): return UiMessage("error_conflict", [reason])
    case .Storage(let reason): return UiMessage("error_storage", [reason])
    case .Network: return UiMessage("error_network")
    case .LoginRequired: return UiMessage("error_login_required")
    case .Sync(let code, _): return UiMessage("error_sync_refused", [code])
    case .Cancelled: return UiMessage("sync_cancelled")
    // The store's key does not open it (`wrong_key`, `invalid_key`): locked, never deleted.
    case .StoreKey(let code, _): return UiMessage("error_store_locked", [code])
    }
}
