package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.Code
import id.go.kemnaker.desmig.core.DesmigException
import id.go.kemnaker.desmig.core.FieldError
import id.go.kemnaker.desmig.core.codeOf
import id.go.kemnaker.desmig.security.StoreKeyUnavailable

/**
 * Something to tell the user, as a string-resource key and its arguments. The Android app maps
 * keys to `R.string` (Indonesian by default, English in `values-en`); the iOS app to
 * `Localizable.strings`. Keys are stable: tests assert them.
 */
data class UiMessage(val key: String, val args: List<String> = emptyList())

/** Problems with a form, by field or checklist item id, as the core reported them. */
typealias FieldProblems = Map<String, List<FieldError>>

fun List<FieldError>.byField(): FieldProblems = groupBy { it.field }

/** What the user can do about an error from the core, in words a facilitator understands. */
fun Throwable.toUiMessage(): UiMessage = when (this) {
    is DesmigException.Validation -> UiMessage("error_validation", listOf(errors.size.toString()))
    is DesmigException.NotFound -> UiMessage("error_not_found")
    // The rule that refused it, by the core's typed code (consent withdrawn, out of scope, …);
    // a code this app does not know yet says what the core said.
    is DesmigException.NotAllowed -> when (val c = codeOf(code)) {
        Code.OTHER -> UiMessage("error_not_allowed", listOf(reason))
        else -> codeMessage(c, code)
    }
    is DesmigException.Conflict -> UiMessage("error_conflict", listOf(reason))
    is DesmigException.Storage -> UiMessage("error_storage", listOf(reason))
    is DesmigException.Network -> UiMessage("error_network")
    is DesmigException.LoginRequired -> UiMessage("error_login_required")
    is DesmigException.Sync -> codeMessage(code)
    is DesmigException.Cancelled -> UiMessage("sync_cancelled")
    // The store's key does not open it (`wrong_key`, `invalid_key`): the store is locked, never deleted.
    is DesmigException.StoreKey -> UiMessage("error_store_locked", listOf(code))
    // The key could not be had from the Keystore: locked, or (first run) not saved, as storage.
    is StoreKeyUnavailable -> if (locked) UiMessage("error_store_locked", listOf(code)) else UiMessage("error_storage", listOf(code))
    else -> UiMessage("error_unexpected", listOf(message ?: javaClass.simpleName))
}

/** Runs [action], turning a core error into a message instead of a crash. */
inline fun <T> attempt(action: () -> T): Result<T> = try {
    Result.success(action())
} catch (e: DesmigException) {
    Result.failure(e)
}
