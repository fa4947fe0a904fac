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
    // The rule that refused it, by the core's typed code (consent withdrawn, out of scope, …);
    // a code this app does not know yet says what the core said.
    case .NotAllowed(let code, let reason):
        let typed = codeOf(code: code)
        return typed == .other ? UiMessage("error_not_allowed", [reason]) : uiMessage(for: typed, raw: code)
    case .Conflict(let reason): return UiMessage("error_conflict", [reason])
    case .Storage(let reason): return UiMessage("error_storage", [reason])
    case .Network: return UiMessage("error_network")
    case .LoginRequired: return UiMessage("error_login_required")
    case .Sync(let code, _): return uiMessage(forCode: code)
    case .Cancelled: return UiMessage("sync_cancelled")
    // The store's key does not open it (`wrong_key`, `invalid_key`): locked, never deleted.
    case .StoreKey(let code, _): return UiMessage("error_store_locked", [code])
    }
}

/// What a stable code means to the user, one message per case of the core's `Code` (the Android
/// app's `codeMessage`, the same keys): the refusals of the core and the server, a sync that
/// stopped, a change the server refused. `raw` is the code as it came (quoted where the words
/// show it). Exhaustive: a new case in the core fails the build here.
func uiMessage(for code: Code, raw: String) -> UiMessage {
    switch code {
    case .network: return UiMessage("error_network")
    case .cancelled: return UiMessage("sync_cancelled")
    case .storage: return UiMessage("error_storage", [raw])
    case .wrongKey, .invalidKey: return UiMessage("error_store_locked", [raw])
    case .loginRequired, .tokenExpired, .invalidToken, .signedOut: return UiMessage("error_login_required")
    case .accountDisabled: return UiMessage("code_account_disabled")
    case .invalidCredentials: return UiMessage("login_wrong_credentials")
    case .loginThrottled: return UiMessage("code_login_throttled")
    case .deviceRevoked: return UiMessage("error_device_revoked")
    case .invalid: return UiMessage("code_invalid")
    case .notFound: return UiMessage("code_not_found")
    case .outOfScope: return UiMessage("code_out_of_scope")
    case .readOnly: return UiMessage("code_read_only")
    case .notSupervisor: return UiMessage("code_not_supervisor")
    case .wrongAuthor: return UiMessage("code_wrong_author")
    case .selfVerification: return UiMessage("code_self_verification")
    case .consentWithdrawn: return UiMessage("error_consent_withdrawn")
    case .erased: return UiMessage("code_erased")
    case .stateConflict: return UiMessage("code_state_conflict")
    case .staleClock: return UiMessage("code_stale_clock")
    case .clockInvalid: return UiMessage("code_clock_invalid")
    case .resolutionOutdated: return UiMessage("code_resolution_outdated")
    case .forgedOperation, .invalidOperation: return UiMessage("code_invalid_operation")
    case .unsupportedProtocol, .protocolRequired: return UiMessage("code_update_app")
    case .payloadTooLarge: return UiMessage("code_payload_too_large")
    case .rateLimited, .`internal`, .invalidCursor: return UiMessage("code_try_later")
    // Store-and-forward: a bundle could not be made (never signed in online) or a file was refused.
    case .noServerKeys: return UiMessage("code_no_server_keys")
    case .bundleMalformed: return UiMessage("code_bundle_malformed")
    case .bundleDamaged: return UiMessage("code_bundle_damaged")
    case .bundleBadSignature: return UiMessage("code_bundle_bad_signature")
    case .bundleWrongServer: return UiMessage("code_bundle_wrong_server")
    case .bundleOwn: return UiMessage("code_bundle_own")
    case .bundleStale: return UiMessage("code_bundle_stale")
    case .other: return UiMessage("code_other", [raw])
    }
}

/// A stable code as it came (a sync report's `errorCode`, a refusal's `code`) in words.
func uiMessage(forCode code: String) -> UiMessage {
    uiMessage(for: codeOf(code: code), raw: code)
}

extension RejectedChange {
    /// Why the server refused this change, in words (the core typed its code as `reason`).
    var reasonMessage: UiMessage { uiMessage(for: reason, raw: code) }
}

/// The core's typed code of an error (as the core's `Error::code` names it): a refusal's
/// (`bundle_damaged`, `no_server_keys`, …), a sync's, the store key's. Nil for an error that
/// is not the core's.
func typedCode(of error: Error) -> Code? {
    guard let error = error as? DesmigError else { return nil }
    switch error {
    case .NotAllowed(let code, _), .Sync(let code, _), .StoreKey(let code, _): return codeOf(code: code)
    case .Network: return .network
    case .Cancelled: return .cancelled
    case .LoginRequired: return .loginRequired
    case .Storage: return .storage
    case .NotFound: return .notFound
    case .Validation: return .invalid
    case .Conflict: return .stateConflict
    }
}
