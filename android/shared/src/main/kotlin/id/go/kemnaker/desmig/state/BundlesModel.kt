package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.BundleEntry
import id.go.kemnaker.desmig.core.BundleGroup
import id.go.kemnaker.desmig.core.FieldStore
import java.io.ByteArrayOutputStream
import java.io.IOException
import java.io.InputStream

// Where a bundle stands (`BundleEntry.group`, in the order the screen lists them) and whether
// its file is worth sharing again (`BundleEntry.shareable`) are decided by the core.

/**
 * The phone a bundle is for (carried) or from, as a person can check it against that phone's
 * bundle screen ([BundlesState.phoneCode]); null when it is the server.
 */
val BundleEntry.peerPhone: String? get() = peer.takeUnless { it.startsWith("server:") }?.let(::phoneCode)

/** A device id as a short code to compare by eye: its last six characters (the random part of the id). */
fun phoneCode(deviceId: String): String = deviceId.takeLast(6).uppercase()

/** A bundle file to hand to the platform's share sheet, with the file name to give it. */
class BundleFile(val bundleId: String, val bytes: ByteArray) {
    val fileName: String get() = "desmig-$bundleId.desmig"
}

data class BundlesState(
    /** Every bundle the phone made, carries or opened, newest first (the core's order). */
    val bundles: List<BundleEntry> = emptyList(),
    /** Changes waiting for the server: what an export would carry. */
    val pending: Long = 0,
    /** This phone's code, to match the bundles another phone carries for it. */
    val phoneCode: String = "",
    val busy: Boolean = false,
    /** What the last export or import did. */
    val notice: UiMessage? = null,
    /** Why the last action was refused, from the core's typed code. */
    val error: UiMessage? = null,
) {
    /** The bundles by group, in [BundleGroup] order; only groups that have some. */
    val groups: List<Pair<BundleGroup, List<BundleEntry>>>
        get() = bundles.groupBy { it.group }.let { by -> BundleGroup.entries.mapNotNull { g -> by[g]?.let { g to it } } }

    fun inGroup(group: BundleGroup): List<BundleEntry> = bundles.filter { it.group == group }
}

/**
 * Store-and-forward without coverage: export this phone's pending changes as one sealed file to
 * share, import a file another phone shared (to carry it, or this phone's own receipt or news),
 * share a bundle's file again, and the list of them. The core seals, checks and applies; a
 * carrier's normal sync delivers what it carries.
 */
class BundlesModel(private val store: FieldStore) : StateHolder<BundlesState>(BundlesState(phoneCode = phoneCode(store.deviceId()))) {
    fun load() {
        attempt { store.bundles() to store.outboxStatus().pending.toLong() }
            .onSuccess { (bundles, pending) -> update { it.copy(bundles = bundles, pending = pending) } }
            .onFailure { e -> update { it.copy(error = e.toUiMessage()) } }
    }

    /** Seals the pending changes into a file to share; null when the core refused (see [BundlesState.error]). */
    fun export(): BundleFile? = act {
        val made = store.exportBundle()
        val notice = if (made.count == 0uL) UiMessage("bundle_exported_empty") else UiMessage("bundle_exported", listOf(made.count.toString()))
        BundleFile(made.bundleId, made.file) to notice
    }

    /** Takes a file shared with this phone; what it did is the notice, a refusal the error. */
    fun import(file: ByteArray): Boolean = act {
        val imported = store.importBundle(file)
        true to imported.outcomeMessage
    } ?: false

    /**
     * Takes a file the platform opens (a document the user picked): read here, at most a little
     * more than the core takes (a bigger file is refused as too large, not read whole).
     */
    fun importFrom(open: () -> InputStream?): Boolean {
        val bytes = try {
            open()?.use { it.readAtMost(MAX_FILE_BYTES) }
        } catch (e: IOException) {
            null
        } catch (e: SecurityException) {
            null
        }
        if (bytes == null) {
            update { it.copy(notice = null, error = UiMessage("bundle_unreadable")) }
            return false
        }
        return import(bytes)
    }

    /** The file of a bundle on its way, to share again (another carrier, the phone it is for). */
    fun shareAgain(bundleId: String): BundleFile? = act {
        BundleFile(bundleId, store.bundleFile(bundleId)) to null
    }

    private companion object {
        /** Above the core's largest bundle (1.5 MiB): enough to tell a bundle from a file too big to be one. */
        const val MAX_FILE_BYTES = 2 shl 20

        fun InputStream.readAtMost(limit: Int): ByteArray {
            val out = ByteArrayOutputStream()
            val buffer = ByteArray(64 * 1024)
            while (out.size() <= limit) {
                val n = read(buffer)
                if (n < 0) break
                out.write(buffer, 0, n)
            }
            return out.toByteArray()
        }
    }

    /** Runs a core action: busy meanwhile, then its notice or the refusal, and the list read again. */
    private inline fun <T> act(action: () -> Pair<T, UiMessage?>): T? {
        update { it.copy(busy = true, notice = null, error = null) }
        val result = attempt(action)
        update { s -> result.fold({ s.copy(busy = false, notice = it.second) }, { e -> s.copy(busy = false, error = e.toUiMessage()) }) }
        load()
        return result.getOrNull()?.first
    }
}
