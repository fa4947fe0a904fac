package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.DesmigException
import id.go.kemnaker.desmig.core.SyncPhase
import id.go.kemnaker.desmig.core.SyncProgress
import id.go.kemnaker.desmig.core.SyncProgressListener
import id.go.kemnaker.desmig.core.SyncReport

data class SyncState(
    val pending: Long = 0,
    val rejected: Long = 0,
    val running: Boolean = false,
    val progress: SyncProgress? = null,
    val last: SyncReport? = null,
    /** Why the last sync stopped, in words a facilitator understands. */
    val error: UiMessage? = null,
    val needsLogin: Boolean = false,
)

/** The sync screen: what waits to be sent, a sync with its progress, the last result. */
class SyncModel(private val session: AppSession) : StateHolder<SyncState>(SyncState()) {
    /** Reads what waits to be sent and the last sync's outcome (also after a restart). */
    fun load() {
        attempt { session.store.outboxStatus() to session.store.lastSync() }.onSuccess { (counts, last) ->
            update { it.copy(pending = counts.pending.toLong(), rejected = counts.rejected.toLong(), last = last, error = last?.errorCode?.let(::messageFor)) }
        }
    }

    /** Runs a sync on the calling thread; progress arrives in [state] as it goes. */
    fun syncNow(): SyncReport? {
        val config = session.syncConfig()
        if (config == null) {
            update { it.copy(needsLogin = true, error = UiMessage("error_login_required")) }
            return null
        }
        update { it.copy(running = true, progress = null, error = null) }
        val listener = object : SyncProgressListener {
            override fun onProgress(progress: SyncProgress) = update { it.copy(progress = progress) }
        }
        return try {
            session.store.syncNow(config, listener)
        } catch (e: DesmigException) {
            // A revoked (lost) phone has erased its data; its token goes too.
            if (session.store.lastSync()?.errorCode == "device_revoked") session.tokens.clear()
            update { it.copy(needsLogin = e is DesmigException.LoginRequired) }
            null
        } finally {
            update { it.copy(running = false) }
            load()
        }
    }

    fun cancel() = session.store.cancelSync()

    /** The progress as a fraction for a progress bar, when it is known. */
    fun fraction(p: SyncProgress): Float? = if (p.phase == SyncPhase.PUSHING && p.total > 0u) p.done.toFloat() / p.total.toFloat() else null

    private fun messageFor(code: String): UiMessage = when (code) {
        "network" -> UiMessage("error_network")
        "login_required" -> UiMessage("error_login_required")
        "device_revoked" -> UiMessage("error_device_revoked")
        "cancelled" -> UiMessage("sync_cancelled")
        "storage" -> UiMessage("error_storage", listOf(code))
        else -> UiMessage("error_sync_refused", listOf(code))
    }
}
