package id.go.kemnaker.desmig.security

import id.go.kemnaker.desmig.core.DesmigException
import id.go.kemnaker.desmig.core.FieldStore
import id.go.kemnaker.desmig.state.UiMessage
import id.go.kemnaker.desmig.state.toUiMessage

/** How opening the phone's store went: what the app shows at start. */
sealed class StoreOpening {
    class Ready(val store: FieldStore) : StoreOpening()

    /**
     * The store is there but this phone cannot unlock it (its key was lost, or does not open it).
     * Show [message] and stop: **never delete or recreate the store**, its unsent changes exist
     * nowhere else; the district supervisor decides what happens to the phone.
     */
    data class Locked(val message: UiMessage) : StoreOpening()

    /** Opening failed for another reason (a full or failing disk); the next start tries again. */
    data class Failed(val message: UiMessage) : StoreOpening()
}

/**
 * Opens (creating, upgrading, or encrypting once a plain store of an older version) the store at
 * [path] with [vault]'s key, which is wiped from memory once the core has it. Blocking: the
 * vault talks to the Keystore, so never on the main thread.
 */
fun openFieldStore(path: String, vault: StoreKeyVault): StoreOpening {
    val key = try {
        vault.storeKey()
    } catch (e: StoreKeyUnavailable) {
        return if (e.locked) StoreOpening.Locked(e.toUiMessage()) else StoreOpening.Failed(e.toUiMessage())
    }
    return try {
        val store = FieldStore.open(path, key)
        // "Today", months and what is overdue follow the phone's own zone (WIB, WITA, WIT).
        store.setUtcOffsetMinutes(java.util.TimeZone.getDefault().getOffset(System.currentTimeMillis()) / 60_000)
        StoreOpening.Ready(store)
    } catch (e: DesmigException.StoreKey) {
        StoreOpening.Locked(e.toUiMessage())
    } catch (e: DesmigException) {
        StoreOpening.Failed(e.toUiMessage())
    } finally {
        key.fill(0)
    }
}
