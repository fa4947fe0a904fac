package id.go.kemnaker.desmig.app.ui

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.enableEdgeToEdge
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.ui.Modifier
import id.go.kemnaker.desmig.app.DesmigApplication
import id.go.kemnaker.desmig.app.sync.SyncWorker
import id.go.kemnaker.desmig.app.ui.theme.DesmigTheme

/** The only activity: Compose all the way down; where to go is decided by [DesmigNavHost]. */
class MainActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        enableEdgeToEdge()
        val app = DesmigApplication.from(this)
        val sync = SyncControls(
            model = app.sync,
            syncNow = { SyncWorker.syncNow(applicationContext) },
            cancel = {
                SyncWorker.cancelSyncNow(applicationContext)
                app.sync.cancel() // blocking but quick: called from the sync screen's IO actions
            },
            waitingForNetwork = SyncWorker.waitingForNetwork(applicationContext),
        )
        setContent {
            DesmigTheme {
                Surface(Modifier.fillMaxSize(), color = MaterialTheme.colorScheme.background) {
                    DesmigNavHost(session = app.session, sync = sync)
                }
            }
        }
    }
}
