package id.go.kemnaker.desmig.app.ui.screens

import android.text.format.Formatter
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.app.ui.DesmigTopBar
import id.go.kemnaker.desmig.app.ui.ErrorBanner
import id.go.kemnaker.desmig.app.ui.SectionTitle
import id.go.kemnaker.desmig.app.ui.SyncControls
import id.go.kemnaker.desmig.app.ui.entityText
import id.go.kemnaker.desmig.app.ui.formatTimestamp
import id.go.kemnaker.desmig.app.ui.observe
import id.go.kemnaker.desmig.app.ui.rememberActions
import id.go.kemnaker.desmig.app.ui.syncPhaseRes
import id.go.kemnaker.desmig.app.ui.text
import id.go.kemnaker.desmig.core.RejectedChange
import id.go.kemnaker.desmig.core.SyncProgress
import id.go.kemnaker.desmig.core.SyncReport
import id.go.kemnaker.desmig.state.AppSession
import id.go.kemnaker.desmig.state.SyncState
import id.go.kemnaker.desmig.state.reasonMessage

/**
 * The sync screen shows the app-wide [SyncControls.model]: the sync it shows runs in the
 * background worker (WorkManager), so it goes on when the user leaves this screen.
 */
@Composable
fun SyncRoute(session: AppSession, sync: SyncControls, onBack: () -> Unit, onLogin: () -> Unit, onBundles: () -> Unit) {
    val model = sync.model
    val state by model.observe()
    val waiting by sync.waitingForNetwork.collectAsState(initial = false)
    val actions = rememberActions()
    // On entry and whenever a sync starts or ends: the outbox counts, the last result, what was refused.
    LaunchedEffect(state.running) { actions.io { model.load() } }
    SyncScreen(
        state = state,
        fraction = state.progress?.let(model::fraction),
        waitingForNetwork = waiting,
        rejected = state.rejectedChanges,
        onSyncNow = sync.syncNow,
        onCancel = { actions.io(sync.cancel) },
        onLogin = onLogin,
        onBack = onBack,
        onBundles = onBundles,
    )
}

@Composable
fun SyncScreen(
    state: SyncState,
    fraction: Float?,
    waitingForNetwork: Boolean,
    rejected: List<RejectedChange>,
    onSyncNow: () -> Unit,
    onCancel: () -> Unit,
    onLogin: () -> Unit,
    onBack: () -> Unit,
    /** Sending without signal: the bundle files screen. */
    onBundles: (() -> Unit)? = null,
) {
    Scaffold(topBar = { DesmigTopBar(title = stringResource(R.string.sync_title), onBack = onBack) }) { padding ->
        LazyColumn(
            modifier = Modifier.fillMaxSize().padding(padding),
            contentPadding = PaddingValues(16.dp),
            verticalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            item {
                Row(horizontalArrangement = Arrangement.spacedBy(12.dp)) {
                    CountCard(stringResource(R.string.sync_pending), state.pending, Modifier.weight(1f))
                    CountCard(stringResource(R.string.sync_rejected), state.rejected, Modifier.weight(1f))
                }
            }
            item { Text(stringResource(R.string.sync_explanation), style = MaterialTheme.typography.bodyMedium) }
            item {
                Row(horizontalArrangement = Arrangement.spacedBy(12.dp)) {
                    Button(onClick = onSyncNow, enabled = !state.running, modifier = Modifier.weight(1f)) {
                        Text(stringResource(R.string.sync_now))
                    }
                    OutlinedButton(onClick = onCancel, enabled = state.running || waitingForNetwork, modifier = Modifier.weight(1f)) {
                        Text(stringResource(R.string.action_cancel))
                    }
                }
            }
            if (onBundles != null) {
                item {
                    OutlinedButton(onClick = onBundles, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.bundles_open)) }
                }
            }
            val progress = state.progress
            if (state.running) {
                item { Progress(progress, fraction) }
            } else if (waitingForNetwork) {
                item { Text(stringResource(R.string.sync_waiting_network), style = MaterialTheme.typography.bodyMedium) }
            }
            item { ErrorBanner(state.error) }
            if (state.needsLogin) {
                item { Button(onClick = onLogin, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.sync_log_in_again)) } }
            }
            state.last?.let { last -> item { LastResult(last) } }
            if (rejected.isNotEmpty()) {
                item { SectionTitle(stringResource(R.string.sync_rejected_title)) }
                item { Text(stringResource(R.string.sync_rejected_explanation), style = MaterialTheme.typography.bodySmall) }
                items(rejected, key = { it.opId }) { r ->
                    // Why, in words, from the core's typed reason; the server's own detail below it.
                    ListItem(
                        headlineContent = { Text(r.reasonMessage.text()) },
                        overlineContent = { Text("${entityText(r.entity)} · ${formatTimestamp(r.createdAt)}") },
                        supportingContent = if (r.message.isBlank()) null else ({ Text(r.message, style = MaterialTheme.typography.bodySmall) }),
                    )
                }
            }
        }
    }
}

@Composable
internal fun CountCard(label: String, count: Long, modifier: Modifier = Modifier) {
    Card(modifier) {
        Column(Modifier.padding(16.dp)) {
            Text(count.toString(), style = MaterialTheme.typography.headlineMedium)
            Text(label, style = MaterialTheme.typography.bodySmall)
        }
    }
}

/** The running sync: its phase, how far (records done of total, when known), bytes each way. */
@Composable
private fun Progress(progress: SyncProgress?, fraction: Float?) {
    val context = LocalContext.current
    Column(verticalArrangement = Arrangement.spacedBy(6.dp)) {
        Text(
            progress?.let { stringResource(syncPhaseRes(it.phase)) } ?: stringResource(R.string.sync_starting),
            style = MaterialTheme.typography.titleSmall,
        )
        if (fraction != null) {
            LinearProgressIndicator(progress = { fraction }, modifier = Modifier.fillMaxWidth())
        } else {
            LinearProgressIndicator(modifier = Modifier.fillMaxWidth())
        }
        if (progress != null) {
            if (progress.total > 0u) {
                Text(stringResource(R.string.sync_done_of_total, progress.done.toLong(), progress.total.toLong()))
            } else if (progress.done > 0u) {
                Text(stringResource(R.string.sync_done_count, progress.done.toLong()))
            }
            Text(
                stringResource(
                    R.string.sync_bytes,
                    Formatter.formatShortFileSize(context, progress.bytesSent.toLong()),
                    Formatter.formatShortFileSize(context, progress.bytesReceived.toLong()),
                ),
                style = MaterialTheme.typography.bodySmall,
            )
        }
    }
}

@Composable
private fun LastResult(last: SyncReport) {
    val context = LocalContext.current
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(stringResource(R.string.sync_last_title), style = MaterialTheme.typography.titleSmall)
            Text(
                stringResource(
                    if (last.errorCode == null) R.string.sync_last_finished else R.string.sync_last_stopped,
                    formatTimestamp(last.finishedAt),
                ),
            )
            Text(stringResource(R.string.sync_last_counts, last.pushed.toLong(), last.pulled.toLong(), last.rejected.toLong()))
            Text(
                stringResource(
                    R.string.sync_bytes,
                    Formatter.formatShortFileSize(context, last.bytesSent.toLong()),
                    Formatter.formatShortFileSize(context, last.bytesReceived.toLong()),
                ),
                style = MaterialTheme.typography.bodySmall,
            )
        }
    }
}
