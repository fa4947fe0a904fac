package id.go.kemnaker.desmig.app.ui.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.app.ui.DesmigTopBar
import id.go.kemnaker.desmig.app.ui.ErrorBanner
import id.go.kemnaker.desmig.app.ui.LabeledValue
import id.go.kemnaker.desmig.app.ui.LoadingBox
import id.go.kemnaker.desmig.app.ui.SectionTitle
import id.go.kemnaker.desmig.app.ui.dateText
import id.go.kemnaker.desmig.app.ui.formatTimestamp
import id.go.kemnaker.desmig.app.ui.localized
import id.go.kemnaker.desmig.app.ui.observe
import id.go.kemnaker.desmig.app.ui.rememberActions
import id.go.kemnaker.desmig.app.ui.rememberHolder
import id.go.kemnaker.desmig.core.AnswerLine
import id.go.kemnaker.desmig.core.ItemKind
import id.go.kemnaker.desmig.state.AppSession
import id.go.kemnaker.desmig.state.VisitViewModel
import id.go.kemnaker.desmig.state.VisitViewState
import id.go.kemnaker.desmig.state.formatRupiah

/** A visit opened: by the supervisor before verifying, by anyone for a completed visit (read-only). */
@Composable
fun VisitDetailRoute(
    session: AppSession,
    visitId: String,
    onBack: () -> Unit,
    onEditDraft: (beneficiaryId: String, visitId: String) -> Unit,
) {
    val model = rememberHolder("visit-view-$visitId") { VisitViewModel(session.store, visitId) } ?: return LoadingBox()
    val state by model.observe()
    val actions = rememberActions()
    LaunchedEffect(model) { actions.io { model.load() } }
    VisitDetailScreen(
        state = state,
        onBack = onBack,
        onVerify = { actions.io { model.verify() } },
        onAmend = {
            actions.io({ model.amend() }) { draftId ->
                val beneficiaryId = state.view?.beneficiaryId
                if (draftId != null && beneficiaryId != null) onEditDraft(beneficiaryId, draftId)
            }
        },
        onContinue = { v -> onEditDraft(v.first, v.second) },
    )
}

/** Pure function of [state]: what the core's `visitView` says, and only the actions it allows. */
@Composable
fun VisitDetailScreen(
    state: VisitViewState,
    onBack: () -> Unit,
    onVerify: () -> Unit,
    onAmend: () -> Unit,
    onContinue: (Pair<String, String>) -> Unit,
) {
    val v = state.view
    Scaffold(topBar = { DesmigTopBar(title = v?.templateTitle?.localized() ?: stringResource(R.string.visit_title), onBack = onBack) }) { padding ->
        if (v == null) {
            Column(Modifier.padding(padding).padding(16.dp)) { ErrorBanner(state.error) }
            return@Scaffold
        }
        Column(
            Modifier.padding(padding).fillMaxSize().verticalScroll(rememberScrollState()).padding(16.dp),
            verticalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            ErrorBanner(state.error)
            Text(v.beneficiaryName, style = MaterialTheme.typography.headlineSmall)
            Text(v.villageName.ifBlank { v.villageCode }, style = MaterialTheme.typography.bodyMedium)
            LabeledValue(stringResource(R.string.visit_detail_when), formatTimestamp(v.startedAt))
            LabeledValue(stringResource(R.string.visit_detail_status), stringResource(if (v.statusKey == "visit_completed") R.string.visit_detail_completed else R.string.visit_detail_draft))
            LabeledValue(stringResource(R.string.visit_detail_completeness), "${v.completeness}%")
            v.location?.let { LabeledValue(stringResource(R.string.visit_detail_location), "%.5f, %.5f (±%.0f m)".format(it.lat, it.lon, it.accuracyM)) }
            v.verifiedAt?.let { LabeledValue(stringResource(R.string.file_visit_verified), formatTimestamp(it)) }
            if (v.amends != null) Text(stringResource(R.string.visit_detail_amends), style = MaterialTheme.typography.bodySmall)
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                if (v.canVerify) Button(onClick = onVerify) { Text(stringResource(R.string.supervisor_verify)) }
                if (v.canAmend) OutlinedButton(onClick = onAmend) { Text(stringResource(R.string.visit_detail_amend)) }
                if (v.statusKey == "visit_draft") OutlinedButton(onClick = { onContinue(v.beneficiaryId to v.visitId) }) { Text(stringResource(R.string.file_visit_continue)) }
            }
            SectionTitle(stringResource(R.string.visit_detail_answers))
            Card(Modifier.fillMaxWidth()) {
                Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                    v.answers.forEachIndexed { i, a ->
                        if (i > 0) HorizontalDivider()
                        Text(a.label.localized(), style = MaterialTheme.typography.labelLarge)
                        Text(answerText(a), style = MaterialTheme.typography.bodyLarge)
                    }
                }
            }
            v.notes?.let {
                SectionTitle(stringResource(R.string.visit_notes))
                Text(it)
            }
        }
    }
}

/** An answer in words: yes/no and choices from their labels, amounts in rupiah, dates in the core's words, others as recorded. */
@Composable
private fun answerText(a: AnswerLine): String = when {
    a.yes != null -> stringResource(if (a.yes == true) R.string.answer_yes else R.string.answer_no)
    a.choices.isNotEmpty() -> a.choices.map { it.localized() }.joinToString(", ")
    a.kind == ItemKind.RUPIAH -> a.value?.toLongOrNull()?.let(::formatRupiah) ?: a.value.orEmpty()
    a.kind == ItemKind.DATE -> a.value?.let { dateText(it) }.orEmpty()
    else -> a.value.orEmpty()
}
