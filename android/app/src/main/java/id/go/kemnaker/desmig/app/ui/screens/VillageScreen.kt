package id.go.kemnaker.desmig.app.ui.screens

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.pluralStringResource
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.app.ui.DesmigTopBar
import id.go.kemnaker.desmig.app.ui.ErrorBanner
import id.go.kemnaker.desmig.app.ui.IndicatorGrid
import id.go.kemnaker.desmig.app.ui.LoadingBox
import id.go.kemnaker.desmig.app.ui.SectionTitle
import id.go.kemnaker.desmig.app.ui.dateText
import id.go.kemnaker.desmig.app.ui.monthText
import id.go.kemnaker.desmig.app.ui.observe
import id.go.kemnaker.desmig.app.ui.rememberActions
import id.go.kemnaker.desmig.app.ui.rememberHolder
import id.go.kemnaker.desmig.app.ui.todayIso
import id.go.kemnaker.desmig.core.DueFollowUp
import id.go.kemnaker.desmig.state.AppSession
import id.go.kemnaker.desmig.state.VillageModel
import id.go.kemnaker.desmig.state.VillageState

@Composable
fun VillageRoute(
    session: AppSession,
    villageCode: String,
    villageName: String,
    onBack: () -> Unit,
    onOpenBeneficiary: (String) -> Unit,
    onSync: () -> Unit,
) {
    val model = rememberHolder("village:$villageCode") { VillageModel(session.store, villageCode) } ?: return LoadingBox()
    val state by model.observe()
    val actions = rememberActions()
    LaunchedEffect(model) { actions.io { model.load() } }
    VillageScreen(
        state = state,
        villageName = villageName,
        onMarkDone = { id -> actions.io { model.markDone(id, todayIso()) } },
        onOpenBeneficiary = onOpenBeneficiary,
        onBack = onBack,
        onSync = onSync,
    )
}

/** A village this month: its indicators (counted by the core) and the follow-ups due this week. */
@Composable
fun VillageScreen(
    state: VillageState,
    villageName: String,
    onMarkDone: (followUpId: String) -> Unit,
    onOpenBeneficiary: (String) -> Unit,
    onBack: () -> Unit,
    onSync: () -> Unit,
) {
    Scaffold(topBar = { DesmigTopBar(title = villageName, onBack = onBack, onSync = onSync) }) { padding ->
        LazyColumn(
            modifier = Modifier.fillMaxSize().padding(padding),
            contentPadding = PaddingValues(16.dp),
            verticalArrangement = Arrangement.spacedBy(8.dp),
        ) {
            item { ErrorBanner(state.error) }
            item { SectionTitle(stringResource(R.string.village_indicators, monthText(state.month))) }
            item {
                val indicators = state.indicators
                if (indicators == null) Text(stringResource(R.string.loading)) else IndicatorGrid(indicators)
            }
            item { SectionTitle(stringResource(R.string.village_follow_ups)) }
            if (state.followUps.isEmpty()) item { Text(stringResource(R.string.village_no_follow_ups)) }
            items(state.followUps, key = { it.followUp.id }) { due ->
                DueFollowUpRow(due, onDone = { onMarkDone(due.followUp.id) }, onOpen = { onOpenBeneficiary(due.followUp.beneficiaryId) })
            }
        }
    }
}

@Composable
private fun DueFollowUpRow(due: DueFollowUp, onDone: () -> Unit, onOpen: () -> Unit) {
    val days = due.daysOverdue
    val whenText = when {
        days > 0 -> pluralStringResource(R.plurals.follow_up_overdue_days, days.toInt(), days.toInt())
        days == 0L -> stringResource(R.string.follow_up_due_today)
        else -> pluralStringResource(R.plurals.follow_up_due_in_days, (-days).toInt(), (-days).toInt())
    }
    ListItem(
        headlineContent = { Text(due.followUp.action) },
        overlineContent = { Text(due.beneficiaryName) },
        supportingContent = {
            Text(
                "${dateText(due.followUp.dueDate)} · $whenText",
                color = if (days > 0) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurfaceVariant,
            )
        },
        trailingContent = { TextButton(onClick = onDone) { Text(stringResource(R.string.follow_up_mark_done)) } },
        modifier = Modifier.clickable(onClick = onOpen),
    )
}
