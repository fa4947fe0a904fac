// Words decided once in the core (desmig_core::labels): the typed codes of refusals, country
// names, month and date labels, and how a stored value reads. The apps only pick the language of
// a core `Text` and map keys and enum cases to their strings; nothing here formats a date or
// matches a code's spelling. Plain Kotlin: tested on the desktop JVM.
package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.BundleEntry
import id.go.kemnaker.desmig.core.Code
import id.go.kemnaker.desmig.core.Conflict
import id.go.kemnaker.desmig.core.DesmigException
import id.go.kemnaker.desmig.core.ImportOutcome
import id.go.kemnaker.desmig.core.ImportedBundle
import id.go.kemnaker.desmig.core.RejectedChange
import id.go.kemnaker.desmig.core.Shown
import id.go.kemnaker.desmig.core.Text
import id.go.kemnaker.desmig.core.codeOf
import id.go.kemnaker.desmig.core.country
import id.go.kemnaker.desmig.core.dateLabel
import id.go.kemnaker.desmig.core.monthLabel

/** A core text (a checklist label, a country, a month, a date) in the UI language: Indonesian unless English. */
fun Text.pick(english: Boolean): String = if (english) en.ifBlank { id } else id.ifBlank { en }

/** A `YYYY-MM-DD` date as the core writes it for a person (`2 Desember 2026`); the text itself when it is no date. */
fun isoDateText(iso: String, english: Boolean): String = try {
    dateLabel(iso).pick(english)
} catch (e: DesmigException) {
    iso
}

/** A `YYYY-MM` month as a heading reads (`Desember 2026`); the text itself when it is no month. */
fun isoMonthText(month: String, english: Boolean): String = try {
    monthLabel(month).pick(english)
} catch (e: DesmigException) {
    month
}

/** A country's name from its ISO code (`MY` → Malaysia); the code itself when the core knows no such country. */
fun countryText(code: String, english: Boolean): String = country(code)?.name?.pick(english) ?: code

/**
 * What a stable code means to the user, one message per case: the refusals of the core and the
 * server, a sync that stopped, a change the server refused. Several cases share a message where
 * they mean the same to a facilitator. [raw] is the code as it came (shown where the words quote it).
 */
fun codeMessage(code: Code, raw: String): UiMessage = when (code) {
    Code.NETWORK -> UiMessage("error_network")
    Code.CANCELLED -> UiMessage("sync_cancelled")
    Code.STORAGE -> UiMessage("error_storage", listOf(raw))
    Code.WRONG_KEY, Code.INVALID_KEY -> UiMessage("error_store_locked", listOf(raw))
    Code.LOGIN_REQUIRED, Code.TOKEN_EXPIRED, Code.INVALID_TOKEN, Code.SIGNED_OUT -> UiMessage("error_login_required")
    Code.ACCOUNT_DISABLED -> UiMessage("code_account_disabled")
    Code.INVALID_CREDENTIALS -> UiMessage("login_wrong_credentials")
    Code.LOGIN_THROTTLED -> UiMessage("code_login_throttled")
    Code.DEVICE_REVOKED -> UiMessage("error_device_revoked")
    Code.INVALID -> UiMessage("code_invalid")
    Code.NOT_FOUND -> UiMessage("code_not_found")
    Code.OUT_OF_SCOPE -> UiMessage("code_out_of_scope")
    Code.READ_ONLY -> UiMessage("code_read_only")
    Code.NOT_SUPERVISOR -> UiMessage("code_not_supervisor")
    Code.WRONG_AUTHOR -> UiMessage("code_wrong_author")
    Code.SELF_VERIFICATION -> UiMessage("code_self_verification")
    Code.CONSENT_WITHDRAWN -> UiMessage("error_consent_withdrawn")
    Code.ERASED -> UiMessage("code_erased")
    Code.STATE_CONFLICT -> UiMessage("code_state_conflict")
    Code.STALE_CLOCK -> UiMessage("code_stale_clock")
    Code.CLOCK_INVALID -> UiMessage("code_clock_invalid")
    Code.RESOLUTION_OUTDATED -> UiMessage("code_resolution_outdated")
    Code.FORGED_OPERATION, Code.INVALID_OPERATION -> UiMessage("code_invalid_operation")
    Code.UNSUPPORTED_PROTOCOL, Code.PROTOCOL_REQUIRED -> UiMessage("code_update_app")
    Code.PAYLOAD_TOO_LARGE -> UiMessage("code_payload_too_large")
    Code.RATE_LIMITED, Code.INTERNAL, Code.INVALID_CURSOR -> UiMessage("code_try_later")
    // Store-and-forward: a bundle could not be made (never signed in online) or a file was refused.
    Code.NO_SERVER_KEYS -> UiMessage("code_no_server_keys")
    Code.BUNDLE_MALFORMED -> UiMessage("code_bundle_malformed")
    Code.BUNDLE_DAMAGED -> UiMessage("code_bundle_damaged")
    Code.BUNDLE_BAD_SIGNATURE -> UiMessage("code_bundle_bad_signature")
    Code.BUNDLE_WRONG_SERVER -> UiMessage("code_bundle_wrong_server")
    Code.BUNDLE_OWN -> UiMessage("code_bundle_own")
    Code.BUNDLE_STALE -> UiMessage("code_bundle_stale")
    Code.OTHER -> UiMessage("code_other", listOf(raw))
}

/** A stable code as it came (a sync report's `errorCode`, a refusal's `code`) in words. */
fun codeMessage(code: String): UiMessage = codeMessage(codeOf(code), code)

/** Why the server refused a change, in words (the core typed its code as [RejectedChange.reason]). */
val RejectedChange.reasonMessage: UiMessage get() = codeMessage(reason, code)

/** What importing a bundle file did, one message per outcome; the count is the bundle's changes or answers. */
val ImportedBundle.outcomeMessage: UiMessage
    get() = when (outcome) {
        ImportOutcome.TO_DELIVER -> UiMessage("bundle_imported_to_deliver", listOf(count.toString()))
        ImportOutcome.TO_HAND_ON -> UiMessage("bundle_imported_to_hand_on")
        ImportOutcome.ACKNOWLEDGED -> UiMessage("bundle_imported_acknowledged", listOf(count.toString()))
        ImportOutcome.APPLIED -> UiMessage("bundle_imported_applied", listOf(count.toString()))
        ImportOutcome.ALREADY_HAD -> UiMessage("bundle_imported_already_had")
    }

/** Why the server refused a carried bundle, by the code the core noted (`bundle_damaged: …`); null when it was not refused. */
val BundleEntry.refusal: UiMessage? get() = note?.let { codeMessage(it.substringBefore(':').trim()) }

/**
 * What the UI shows for a value: a string key of the app (with what to show when the app has no
 * string for it, e.g. a key of a newer core), or words already made by the core.
 */
sealed class Words {
    data class Key(val key: String, val fallback: String) : Words()
    data class Plain(val text: String) : Words()
}

/** A stored value as a person reads it: an enum value's key, rupiah, a date or a country in the UI language, yes/no. */
fun Shown.words(english: Boolean): Words = when (this) {
    Shown.Empty -> Words.Key("value_empty", "—")
    is Shown.Key -> Words.Key(key, key)
    is Shown.Rupiah -> Words.Plain(formatRupiah(rupiah))
    is Shown.Date -> Words.Plain(label.pick(english))
    is Shown.Country -> Words.Plain(name.pick(english))
    is Shown.YesNo -> if (yes) Words.Key("answer_yes", "✓") else Words.Key("answer_no", "✗")
    is Shown.Text -> Words.Plain(text)
}

/** The label of a conflict's field: its key (`field_amount_disbursed`), or the raw field when the app has no string. */
val Conflict.fieldWords: Words get() = Words.Key(fieldKey, field)
