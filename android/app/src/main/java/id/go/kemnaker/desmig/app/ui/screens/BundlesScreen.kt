package id.go.kemnaker.desmig.app.ui.screens

import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
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
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.app.sync.BUNDLE_PICKER_TYPES
import id.go.kemnaker.desmig.app.sync.bundleShareIntent
import id.go.kemnaker.desmig.app.ui.DesmigTopBar
import id.go.kemnaker.desmig.app.ui.ErrorBanner
import id.go.kemnaker.desmig.app.ui.LoadingBox
import id.go.kemnaker.desmig.app.ui.NoticeBanner
import id.go.kemnaker.desmig.app.ui.SectionTitle
import id.go.kemnaker.desmig.app.ui.SyncControls
import id.go.kemnaker.desmig.app.ui.bundleGroupRes
import id.go.kemnaker.desmig.app.ui.bundleKindRes
import id.go.kemnaker.desmig.app.ui.formatTimestamp
import id.go.kemnaker.desmig.app.ui.observe
import id.go.kemnaker.desmig.app.ui.rememberActions
import id.go.kemnaker.desmig.app.ui.rememberHolder
import id.go.kemnaker.desmig.app.ui.text
import id.go.kemnaker.desmig.core.BundleEntry
import id.go.kemnaker.desmig.state.AppSession
import id.go.kemnaker.desmig.state.BundleFile
import id.go.kemnaker.desmig.state.BundlesModel
import id.go.kemnaker.desmig.state.BundlesState
import id.go.kemnaker.desmig.state.peerPhone
import id.go.kemnaker.desmig.state.refusal

/**
 * Sending without signal: export goes to the share sheet, import comes from the document picker
 * (read through the content resolver by the holder), and the list follows the app-wide sync (a
 * carrier's sync delivers what it carries and brings back the answers to hand on).
 */
@Composable
fun BundlesRoute(session: AppSession, sync: SyncControls, onBack: () -> Unit) {
    val context = LocalContext.current
    val model = rememberHolder("bundles") { BundlesModel(session.store) } ?: return LoadingBox()
    val state by model.observe()
    val syncing by sync.model.observe()
    val actions = rememberActions()
    // On entry, and whenever a sync starts or ends.
    LaunchedEffect(model, syncing.running) { actions.io { model.load() } }
    val share: (() -> BundleFile?) -> Unit = { make ->
        actions.io({ make()?.let { bundleShareIntent(context, it) } }) { intent -> intent?.let(context::startActivity) }
    }
    val pick = rememberLauncherForActivityResult(ActivityResultContracts.OpenDocument()) { uri ->
        if (uri != null) actions.io { model.importFrom { context.contentResolver.openInputStream(uri) } }
    }
    BundlesScreen(
        state = state,
        onExport = { share(model::export) },
        onImport = { pick.launch(BUNDLE_PICKER_TYPES) },
        onShare = { bundleId -> share { model.shareAgain(bundleId) } },
        onBack = onBack,
    )
}

/** The test tag of a bundle's row (its share button is inside). */
fun bundleRowTag(bundleId: String) = "bundle:$bundleId"

@Composable
fun BundlesScreen(
    state: BundlesState,
    onExport: () -> Unit,
    onImport: () -> Unit,
    onShare: (bundleId: String) -> Unit,
    onBack: () -> Unit,
) {
    Scaffold(topBar = { DesmigTopBar(title = stringResource(R.string.bundles_title), onBack = onBack) }) { padding ->
        LazyColumn(
            modifier = Modifier.fillMaxSize().padding(padding),
            contentPadding = PaddingValues(16.dp),
            verticalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            item { Text(stringResource(R.string.bundles_explanation), style = MaterialTheme.typography.bodyMedium) }
            item {
                Row(horizontalArrangement = Arrangement.spacedBy(12.dp), verticalAlignment = Alignment.CenterVertically) {
                    CountCard(stringResource(R.string.sync_pending), state.pending, Modifier.weight(1f))
                    Text(
                        stringResource(R.string.bundles_phone_code, state.phoneCode),
                        modifier = Modifier.weight(1f),
                        style = MaterialTheme.typography.titleSmall,
                    )
                }
            }
            item {
                Row(horizontalArrangement = Arrangement.spacedBy(12.dp)) {
                    Button(onClick = onExport, enabled = !state.busy, modifier = Modifier.weight(1f)) { Text(stringResource(R.string.bundles_export)) }
                    OutlinedButton(onClick = onImport, enabled = !state.busy, modifier = Modifier.weight(1f)) { Text(stringResource(R.string.bundles_import)) }
                }
            }
            if (state.busy) item { LinearProgressIndicator(modifier = Modifier.fillMaxWidth()) }
            item { NoticeBanner(state.notice) }
            item { ErrorBanner(state.error) }
            if (state.bundles.isEmpty()) {
                item { Text(stringResource(R.string.bundles_none), style = MaterialTheme.typography.bodyMedium) }
            }
            state.groups.forEach { (group, entries) ->
                item(key = "group:${group.name}") { SectionTitle(stringResource(bundleGroupRes(group))) }
                items(entries, key = { it.bundleId }) { entry -> BundleRow(entry, enabled = !state.busy, onShare = onShare) }
            }
        }
    }
}

/** One bundle: what it holds, for which phone and when, why the server refused it; share when it is on its way. */
@Composable
private fun BundleRow(entry: BundleEntry, enabled: Boolean, onShare: (String) -> Unit) {
    val forPhone = entry.peerPhone?.let { stringResource(R.string.bundles_for_phone, it) }
    val refusal = entry.refusal
    ListItem(
        modifier = Modifier.testTag(bundleRowTag(entry.bundleId)),
        headlineContent = { Text(stringResource(bundleKindRes(entry.kind), entry.count.toLong())) },
        overlineContent = { Text(listOfNotNull(forPhone, formatTimestamp(entry.updatedAt)).joinToString(" · ")) },
        supportingContent = if (refusal == null) null else ({
            Column {
                Text(refusal.text())
                entry.note?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
            }
        }),
        trailingContent = if (!entry.shareable) null else ({
            TextButton(onClick = { onShare(entry.bundleId) }, enabled = enabled) { Text(stringResource(R.string.bundles_share)) }
        }),
    )
}
