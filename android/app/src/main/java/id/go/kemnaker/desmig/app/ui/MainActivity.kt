package id.go.kemnaker.desmig.app.ui

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.enableEdgeToEdge
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import id.go.kemnaker.desmig.app.AppState
import id.go.kemnaker.desmig.app.DesmigApplication
import id.go.kemnaker.desmig.app.sync.SyncWorker
import id.go.kemnaker.desmig.app.ui.screens.StoreUnavailableScreen
import id.go.kemnaker.desmig.app.ui.theme.DesmigTheme

/**
 * The only activity: Compose all the way down. While the store opens it shows a spinner; a store
 * that cannot be unlocked shows only why (nothing is deleted); otherwise [DesmigNavHost] decides.
 */
class MainActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        enableEdgeToEdge()
        val app = DesmigApplication.from(this)
        val waitingForNetwork = SyncWorker.waitingForNetwork(applicationContext)
        setContent {
            DesmigTheme {
                Surface(Modifier.fillMaxSize(), color = MaterialTheme.colorScheme.background) {
                    val state by app.state.collectAsState()
                    when (val s = state) {
                        AppState.Opening -> LoadingBox()
                        is AppState.Ready -> {
                            val sync = remember(s) {
                                SyncControls(
                                    model = s.sync,
                                    syncNow = { SyncWorker.syncNow(applicationContext) },
                                    cancel = {
                                        SyncWorker.cancelSyncNow(applicationContext)
                                        s.sync.cancel() // blocking but quick: called from the sync screen's IO actions
                                    },
                                    waitingForNetwork = waitingForNetwork,
                                )
                            }
                            DesmigNavHost(session = s.session, sync = sync)
                        }
                        is AppState.Locked -> StoreUnavailableScreen(s.message, locked = true)
                        is AppState.Failed -> StoreUnavailableScreen(s.message, locked = false)
                    }
                }
            }
        }
    }
}
