package id.go.kemnaker.desmig.app

import android.app.Application
import android.content.Context
import android.os.Looper
import id.go.kemnaker.desmig.BuildConfig
import id.go.kemnaker.desmig.app.security.KeystoreKeyWrapper
import id.go.kemnaker.desmig.app.security.KeystoreTokenStore
import id.go.kemnaker.desmig.app.security.PreferencesWrappedKeyStorage
import id.go.kemnaker.desmig.app.sync.SyncWorker
import id.go.kemnaker.desmig.security.StoreKeyVault
import id.go.kemnaker.desmig.security.StoreOpening
import id.go.kemnaker.desmig.security.openFieldStore
import id.go.kemnaker.desmig.state.AppSession
import id.go.kemnaker.desmig.state.SyncModel
import id.go.kemnaker.desmig.state.UiMessage
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import java.io.File

/** Where the app stands with the phone's store: what [id.go.kemnaker.desmig.app.ui.MainActivity] shows. */
sealed interface AppState {
    /** The store key is being unwrapped and the store opened (off the main thread). */
    data object Opening : AppState

    /**
     * The process-wide handles: ONE store's [AppSession], and the one [SyncModel] that both the
     * background worker and the sync screen use, so the screen shows whichever sync is running.
     */
    class Ready(val session: AppSession, val sync: SyncModel) : AppState

    /**
     * The store's key is lost or does not open it. The app shows [message] and nothing else; it
     * never deletes or recreates the store, whose unsent changes exist nowhere else.
     */
    data class Locked(val message: UiMessage) : AppState

    /** The store could not be opened for another reason (e.g. a full disk); the next start tries again. */
    data class Failed(val message: UiMessage) : AppState
}

/**
 * Opens the phone's one [id.go.kemnaker.desmig.core.FieldStore] (encrypted; its key wrapped by
 * the Android Keystore, see [StoreKeyVault]) once per process, on a background thread, and
 * publishes the outcome as [state].
 */
class DesmigApplication : Application() {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.IO)
    private val mutableState = MutableStateFlow<AppState>(AppState.Opening)

    /** Opening, then Ready, Locked or Failed for the rest of the process. */
    val state: StateFlow<AppState> = mutableState.asStateFlow()

    /** One sync at a time on this phone: the periodic and the "sync now" work may fire together. */
    val syncLock = Mutex()

    override fun onCreate() {
        super.onCreate()
        // The Keystore unwraps the store's key, and the core may encrypt an older plain store
        // once: both block, so never on the main thread (the vault refuses to run there).
        scope.launch { mutableState.value = openStore() }
        SyncWorker.schedulePeriodic(this)
    }

    /** The open store's handles, waiting while it opens; null when it is locked or failed. */
    suspend fun awaitReady(): AppState.Ready? = state.first { it !is AppState.Opening } as? AppState.Ready

    private fun openStore(): AppState {
        val vault = StoreKeyVault(
            wrapper = KeystoreKeyWrapper(),
            storage = PreferencesWrappedKeyStorage(this),
            isMainThread = { Looper.getMainLooper().isCurrentThread },
        )
        // Loads libdesmig.so through JNA and opens (creating, upgrading or encrypting) the database.
        return when (val opened = openFieldStore(File(filesDir, DATABASE_FILE).absolutePath, vault)) {
            is StoreOpening.Ready -> {
                val session = AppSession(opened.store, KeystoreTokenStore(this), BuildConfig.SERVER_URL)
                AppState.Ready(session, SyncModel(session))
            }
            is StoreOpening.Locked -> AppState.Locked(opened.message)
            is StoreOpening.Failed -> AppState.Failed(opened.message)
        }
    }

    companion object {
        /** In filesDir; excluded from backups (res/xml/backup_rules.xml, data_extraction_rules.xml). */
        const val DATABASE_FILE = "desmig.db"

        fun from(context: Context): DesmigApplication = context.applicationContext as DesmigApplication
    }
}
