package id.go.kemnaker.desmig.app

import android.app.Application
import android.content.Context
import id.go.kemnaker.desmig.BuildConfig
import id.go.kemnaker.desmig.app.security.KeystoreTokenStore
import id.go.kemnaker.desmig.app.sync.SyncWorker
import id.go.kemnaker.desmig.core.FieldStore
import id.go.kemnaker.desmig.state.AppSession
import id.go.kemnaker.desmig.state.SyncModel
import kotlinx.coroutines.sync.Mutex
import java.io.File

/**
 * The process-wide handles: ONE [FieldStore] (the phone's database, opened once), the
 * [AppSession] built on it, and the one [SyncModel] that both the background worker and the sync
 * screen use, so the screen shows the progress of whichever sync is running.
 */
class DesmigApplication : Application() {
    lateinit var session: AppSession
        private set

    /** The sync state shared by [SyncWorker] (which runs syncs) and the sync screen (which shows them). */
    val sync: SyncModel by lazy { SyncModel(session) }

    /** One sync at a time on this phone: the periodic and the "sync now" work may fire together. */
    val syncLock = Mutex()

    override fun onCreate() {
        super.onCreate()
        // Loads libdesmig.so through JNA and opens (creating or upgrading) the database.
        val store = FieldStore.open(File(filesDir, DATABASE_FILE).absolutePath)
        session = AppSession(store, KeystoreTokenStore(this), BuildConfig.SERVER_URL)
        SyncWorker.schedulePeriodic(this)
    }

    companion object {
        /** In filesDir; excluded from backups (res/xml/backup_rules.xml, data_extraction_rules.xml). */
        const val DATABASE_FILE = "desmig.db"

        fun from(context: Context): DesmigApplication = context.applicationContext as DesmigApplication
    }
}
