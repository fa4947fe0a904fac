package id.go.kemnaker.desmig.app.ui.screens

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Badge
import androidx.compose.material3.BadgedBox
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Tab
import androidx.compose.material3.TabRow
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableIntStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalUriHandler
import androidx.compose.ui.res.stringResource
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.app.ui.DesmigTopBar
import id.go.kemnaker.desmig.app.ui.ErrorBanner
import id.go.kemnaker.desmig.app.ui.LoadingBox
import id.go.kemnaker.desmig.app.ui.observe
import id.go.kemnaker.desmig.app.ui.rememberActions
import id.go.kemnaker.desmig.app.ui.rememberHolder
import id.go.kemnaker.desmig.app.ui.telUri
import id.go.kemnaker.desmig.core.Resolution
import id.go.kemnaker.desmig.state.AppSession
import id.go.kemnaker.desmig.state.SupervisorModel
import id.go.kemnaker.desmig.state.SupervisorState

/** The supervisor's home: one holder, three tabs (team overview, visits to verify, conflicts). */
@Composable
fun SupervisorRoute(
    session: AppSession,
    onOpenBeneficiary: (String) -> Unit,
    onOpenVisit: (String) -> Unit,
    onSync: () -> Unit,
    onSignOut: () -> Unit,
) {
    val model = rememberHolder("supervisor") { SupervisorModel(session.store) } ?: return LoadingBox()
    val state by model.observe()
    val actions = rememberActions()
    var tab by rememberSaveable { mutableIntStateOf(0) }
    LaunchedEffect(model) { actions.io { model.load() } }
    val uriHandler = LocalUriHandler.current
    SupervisorScreen(
        state = state,
        tab = tab,
        onTab = { tab = it },
        // A visit is verified from the visit itself, opened (VisitDetailScreen): never unseen.
        onOpenVisit = onOpenVisit,
        onResolve = { conflictId, resolution -> actions.io { model.resolve(conflictId, resolution) } },
        onOpenBeneficiary = onOpenBeneficiary,
        onSync = onSync,
        onSignOut = onSignOut,
        // A facilitator's work phone opens the dialer (no call permission: the user calls).
        onCall = { phone -> runCatching { uriHandler.openUri(telUri(phone)) } },
    )
}

@Composable
fun SupervisorScreen(
    state: SupervisorState,
    tab: Int,
    onTab: (Int) -> Unit,
    onOpenVisit: (visitId: String) -> Unit,
    onResolve: (conflictId: String, resolution: Resolution) -> Unit,
    onOpenBeneficiary: (String) -> Unit,
    onSync: () -> Unit,
    onSignOut: () -> Unit,
    onCall: (phone: String) -> Unit = {},
) {
    Scaffold(topBar = { DesmigTopBar(title = stringResource(R.string.supervisor_title), onSync = onSync, onSignOut = onSignOut) }) { padding ->
        Column(Modifier.fillMaxSize().padding(padding)) {
            TabRow(selectedTabIndex = tab) {
                Tab(selected = tab == 0, onClick = { onTab(0) }, text = { Text(stringResource(R.string.supervisor_tab_team)) })
                Tab(selected = tab == 1, onClick = { onTab(1) }, text = { TabLabel(stringResource(R.string.supervisor_tab_verify), state.toVerify.size) })
                Tab(selected = tab == 2, onClick = { onTab(2) }, text = { TabLabel(stringResource(R.string.supervisor_tab_conflicts), state.conflicts.size) })
            }
            ErrorBanner(state.error)
            when (tab) {
                0 -> TeamOverviewScreen(state, onCall = onCall)
                1 -> VisitsToVerifyScreen(state, onOpenVisit = onOpenVisit)
                else -> ConflictsScreen(state, onResolve = onResolve, onOpenBeneficiary = onOpenBeneficiary)
            }
        }
    }
}

@Composable
private fun TabLabel(text: String, count: Int) {
    if (count == 0) {
        Text(text)
    } else {
        BadgedBox(badge = { Badge { Text(count.toString()) } }) { Text(text) }
    }
}
