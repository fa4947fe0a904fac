package id.go.kemnaker.desmig.app.ui.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalUriHandler
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.app.ui.DesmigTopBar
import id.go.kemnaker.desmig.app.ui.ErrorBanner
import id.go.kemnaker.desmig.app.ui.LoadingBox
import id.go.kemnaker.desmig.app.ui.PhoneLine
import id.go.kemnaker.desmig.app.ui.SectionTitle
import id.go.kemnaker.desmig.app.ui.businessStatusRes
import id.go.kemnaker.desmig.app.ui.capitalSourceRes
import id.go.kemnaker.desmig.app.ui.capitalStageRes
import id.go.kemnaker.desmig.app.ui.dateText
import id.go.kemnaker.desmig.app.ui.formatTimestamp
import id.go.kemnaker.desmig.app.ui.observe
import id.go.kemnaker.desmig.app.ui.prakerjaStageRes
import id.go.kemnaker.desmig.app.ui.rememberActions
import id.go.kemnaker.desmig.app.ui.rememberHolder
import id.go.kemnaker.desmig.app.ui.roleRes
import id.go.kemnaker.desmig.app.ui.telUri
import id.go.kemnaker.desmig.app.ui.trainingStatusRes
import id.go.kemnaker.desmig.core.Business
import id.go.kemnaker.desmig.core.CapitalProgress
import id.go.kemnaker.desmig.core.FollowUp
import id.go.kemnaker.desmig.core.Person
import id.go.kemnaker.desmig.core.Prakerja
import id.go.kemnaker.desmig.core.Training
import id.go.kemnaker.desmig.state.AppSession
import id.go.kemnaker.desmig.state.WorkerState
import id.go.kemnaker.desmig.state.WorkerStatusModel
import id.go.kemnaker.desmig.state.formatRupiah

@Composable
fun WorkerStatusRoute(session: AppSession, onSync: () -> Unit, onSignOut: () -> Unit) {
    val model = rememberHolder("worker") { WorkerStatusModel(session.store) } ?: return LoadingBox()
    val state by model.observe()
    val actions = rememberActions()
    LaunchedEffect(model) { actions.io { model.load() } }
    val uriHandler = LocalUriHandler.current
    WorkerStatusScreen(
        state = state, onSync = onSync, onSignOut = onSignOut,
        // The facilitator's work phone opens the dialer (no call permission: the worker calls).
        onCall = { phone -> runCatching { uriHandler.openUri(telUri(phone)) } },
    )
}

/** "My status" for a returning worker: their own record, read-only, in plain words, and who to call. */
@Composable
fun WorkerStatusScreen(state: WorkerState, onSync: () -> Unit, onSignOut: () -> Unit, onCall: (phone: String) -> Unit = {}) {
    val status = state.status
    Scaffold(topBar = { DesmigTopBar(title = stringResource(R.string.worker_title), onSync = onSync, onSignOut = onSignOut) }) { padding ->
        LazyColumn(
            modifier = Modifier.fillMaxSize().padding(padding),
            contentPadding = PaddingValues(16.dp),
            verticalArrangement = Arrangement.spacedBy(8.dp),
        ) {
            item { ErrorBanner(state.error) }
            if (status == null) {
                if (state.error == null) item { Text(stringResource(R.string.worker_not_synced)) }
                return@LazyColumn
            }
            item {
                Column {
                    Text(status.beneficiary.fullName, style = MaterialTheme.typography.headlineSmall)
                    Text(status.villageName, style = MaterialTheme.typography.bodyMedium, color = MaterialTheme.colorScheme.onSurfaceVariant)
                }
            }

            // Who to ask: the facilitators of the worker's village, with their work phone.
            item { SectionTitle(stringResource(R.string.worker_facilitator)) }
            if (state.facilitators.isEmpty()) item { Text(stringResource(R.string.worker_no_facilitator)) }
            items(state.facilitators, key = { "facilitator:" + it.userId }) { FacilitatorCard(it, onCall) }

            item { SectionTitle(stringResource(R.string.worker_next_steps)) }
            if (status.nextSteps.isEmpty()) item { Text(stringResource(R.string.worker_no_next_steps)) }
            items(status.nextSteps, key = { it.id }) { NextStepCard(it) }

            item { SectionTitle(stringResource(R.string.card_prakerja)) }
            item { PrakerjaCard(status.prakerja) }

            item { SectionTitle(stringResource(R.string.card_trainings)) }
            if (status.trainings.isEmpty()) item { Text(stringResource(R.string.trainings_none)) }
            items(status.trainings, key = { it.id }) { TrainingCard(it) }

            item { SectionTitle(stringResource(R.string.card_capital)) }
            if (status.capital.isEmpty()) item { Text(stringResource(R.string.worker_no_capital)) }
            items(status.capital, key = { it.application.id }) { CapitalCard(it) }

            item { SectionTitle(stringResource(R.string.card_business)) }
            if (status.businesses.isEmpty()) item { Text(stringResource(R.string.worker_no_business)) }
            items(status.businesses, key = { it.id }) { BusinessCard(it) }
        }
    }
}

@Composable
private fun InfoCard(content: @Composable () -> Unit) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(2.dp)) { content() }
    }
}

@Composable
private fun FacilitatorCard(p: Person, onCall: (phone: String) -> Unit) = InfoCard {
    Text(p.displayName.ifBlank { p.userId }, style = MaterialTheme.typography.titleMedium)
    Text(stringResource(roleRes(p.role)), style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant)
    p.phone?.let { phone -> PhoneLine(phone, onCall) }
}

@Composable
private fun NextStepCard(f: FollowUp) = InfoCard {
    Text(f.action, style = MaterialTheme.typography.titleSmall)
    Text(stringResource(R.string.follow_up_due_on, dateText(f.dueDate)), style = MaterialTheme.typography.bodySmall)
}

@Composable
private fun PrakerjaCard(p: Prakerja?) = InfoCard {
    if (p == null) {
        Text(stringResource(R.string.prakerja_none))
        return@InfoCard
    }
    Text(stringResource(prakerjaStageRes(p.stage)), style = MaterialTheme.typography.titleMedium)
    p.wave?.let { Text(stringResource(R.string.prakerja_wave, it.toString())) }
    p.purchaseDeadline?.let { Text(stringResource(R.string.prakerja_deadline, dateText(it))) }
    if (p.incentiveReceived > 0) Text(stringResource(R.string.prakerja_incentive_received, formatRupiah(p.incentiveReceived)))
}

@Composable
private fun TrainingCard(t: Training) = InfoCard {
    Text(t.title, style = MaterialTheme.typography.titleSmall)
    Text("${t.provider} · ${stringResource(trainingStatusRes(t.status))}", style = MaterialTheme.typography.bodyMedium)
    t.certificateNo?.let { Text(stringResource(R.string.training_certificate, it), style = MaterialTheme.typography.bodySmall) }
}

/** A capital application with every stage it went through, oldest first. */
@Composable
private fun CapitalCard(c: CapitalProgress) = InfoCard {
    val app = c.application
    Text(stringResource(capitalSourceRes(app.source)), style = MaterialTheme.typography.labelLarge, color = MaterialTheme.colorScheme.primary)
    Text(stringResource(capitalStageRes(app.stage)), style = MaterialTheme.typography.titleMedium)
    Text(stringResource(R.string.capital_amount_requested, formatRupiah(app.amountRequested)))
    app.amountDisbursed?.let { Text(stringResource(R.string.capital_amount_disbursed, formatRupiah(it))) }
    app.rejectionReason?.let { Text(stringResource(R.string.capital_rejection_reason, it), color = MaterialTheme.colorScheme.error) }
    if (c.history.isNotEmpty()) {
        Text(stringResource(R.string.file_capital_stages), modifier = Modifier.padding(top = 8.dp), style = MaterialTheme.typography.labelMedium)
        c.history.forEach { change ->
            val stage = capitalStageRes(change.to)?.let { stringResource(it) } ?: change.to
            Text("• ${formatTimestamp(change.at)}: $stage", style = MaterialTheme.typography.bodySmall)
        }
    }
}

@Composable
private fun BusinessCard(b: Business) = InfoCard {
    Text(b.name, style = MaterialTheme.typography.titleSmall)
    Text(stringResource(businessStatusRes(b.status)), style = MaterialTheme.typography.bodyMedium)
    b.monthlyRevenue?.let { Text(stringResource(R.string.business_monthly_revenue, formatRupiah(it)), style = MaterialTheme.typography.bodySmall) }
}
