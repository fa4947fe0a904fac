package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.Code
import id.go.kemnaker.desmig.core.DesmigException
import id.go.kemnaker.desmig.core.RejectedChange
import id.go.kemnaker.desmig.core.SyncPhase
import id.go.kemnaker.desmig.core.SyncProgress
import id.go.kemnaker.desmig.core.SyncProgressListener
import id.go.kemnaker.desmig.core.SyncReport
import id.go.kemnaker.desmig.core.codeNeedsLogin
import id.go.kemnaker.desmig.core.codeOf

data class SyncState(
    val pending: Long = 0,
    val rejected: Long = 0,
    val running: Boolean = false,
    val progress: SyncProgress? = null,
    val last: SyncReport? = null,
    /** The changes the server refused (they stay on the phone), each with its typed reason. */
    val rejectedChanges: List<RejectedChange> = emptyList(),
    /** Why the last sync stopped, in words a facilitator understands. */
    val error: UiMessage? = null,
    val needsLogin: Boolean = false,
)

/** The sync screen: what waits to be sent, a sync with its progress, the last result. */
class SyncModel(private val session: AppSession) : StateHolder<SyncState>(SyncState()) {
    /** Reads what waits to be sent and the last sync's outcome (also after a restart). */
    fun load() {
        attempt { Triple(session.store.outboxStatus(), session.store.lastSync(), session.store.rejectedChanges()) }.onSuccess { (counts, last, refused) ->
            update {
                it.copy(
                    pending = counts.pending.toLong(), rejected = counts.rejected.toLong(), last = last, rejectedChanges = refused,
                    error = last?.errorCode?.let(::codeMessage),
                )
            }
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
            val code = attempt { session.store.lastSync()?.errorCode }.getOrNull()?.let(::codeOf)
            // A revoked (lost) phone has erased its data; its token goes too.
            if (code == Code.DEVICE_REVOKED) session.tokens.clear()
            update { it.copy(needsLogin = e is DesmigException.LoginRequired || (code != null && codeNeedsLogin(code))) }
            null
        } finally {
            update { it.copy(running = false) }
            load()
        }
    }

    fun cancel() = session.store.cancelSync()

    /** The progress as a fraction for a progress bar, when it is known. */
    fun fraction(p: SyncProgress): Float? = if (p.phase == SyncPhase.PUSHING && p.total > 0u) p.done.toFloat() / p.total.toFloat() else null
}
