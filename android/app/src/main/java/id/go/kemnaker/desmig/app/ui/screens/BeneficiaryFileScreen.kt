package id.go.kemnaker.desmig.app.ui.screens

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.lazy.itemsIndexed
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Add
import androidx.compose.material.icons.filled.CheckCircle
import androidx.compose.material.icons.filled.Edit
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.ButtonDefaults
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.DropdownMenu
import androidx.compose.material3.DropdownMenuItem
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.app.ui.DesmigTopBar
import id.go.kemnaker.desmig.app.ui.ErrorBanner
import id.go.kemnaker.desmig.app.ui.LabeledValue
import id.go.kemnaker.desmig.app.ui.LoadingBox
import id.go.kemnaker.desmig.app.ui.SectionTitle
import id.go.kemnaker.desmig.app.ui.beneficiaryKindRes
import id.go.kemnaker.desmig.app.ui.capitalStageRes
import id.go.kemnaker.desmig.app.ui.consentMethodRes
import id.go.kemnaker.desmig.app.ui.cardDetailText
import id.go.kemnaker.desmig.app.ui.formatIsoDate
import id.go.kemnaker.desmig.app.ui.formatTimestamp
import id.go.kemnaker.desmig.app.ui.localized
import id.go.kemnaker.desmig.app.ui.messageRes
import id.go.kemnaker.desmig.app.ui.observe
import id.go.kemnaker.desmig.app.ui.rememberActions
import id.go.kemnaker.desmig.app.ui.rememberHolder
import id.go.kemnaker.desmig.app.ui.sexRes
import id.go.kemnaker.desmig.app.ui.visitStatusRes
import id.go.kemnaker.desmig.core.Beneficiary
import id.go.kemnaker.desmig.core.ChecklistTemplate
import id.go.kemnaker.desmig.core.FollowUp
import id.go.kemnaker.desmig.core.StageChange
import id.go.kemnaker.desmig.core.StageSubject
import id.go.kemnaker.desmig.core.Visit
import id.go.kemnaker.desmig.core.VisitStatus
import id.go.kemnaker.desmig.state.AppSession
import id.go.kemnaker.desmig.state.BeneficiaryFileModel
import id.go.kemnaker.desmig.state.BeneficiaryFileState
import id.go.kemnaker.desmig.state.StatusCard
import id.go.kemnaker.desmig.state.attempt

@Composable
fun BeneficiaryFileRoute(
    session: AppSession,
    beneficiaryId: String,
    onBack: () -> Unit,
    onEdit: (villageCode: String) -> Unit,
    onRegisterFamily: (villageCode: String) -> Unit,
    onNewVisit: (templateId: String) -> Unit,
    onOpenVisit: (visitId: String) -> Unit,
    onSync: () -> Unit,
) {
    val model = rememberHolder("file:$beneficiaryId") { BeneficiaryFileModel(session.store, beneficiaryId) } ?: return LoadingBox()
    val state by model.observe()
    val actions = rememberActions()
    var templates by remember { mutableStateOf<List<ChecklistTemplate>>(emptyList()) }
    LaunchedEffect(model) {
        actions.io { model.load() }
        // The checklists a visit can follow (the newest version of each), straight from the core.
        actions.io({ attempt { session.store.templates() }.getOrDefault(emptyList()) }) { templates = it }
    }
    BeneficiaryFileScreen(
        state = state,
        templates = templates,
        onBack = onBack,
        onEdit = { state.file?.let { onEdit(it.beneficiary.villageCode) } },
        onRegisterFamily = { state.file?.let { onRegisterFamily(it.beneficiary.villageCode) } },
        onNewVisit = onNewVisit,
        onOpenVisit = onOpenVisit,
        onSync = onSync,
        // Asking and cancelling only change the holder's state; the withdrawal itself is a core write.
        onWithdrawConsent = model::askToWithdrawConsent,
        onConfirmWithdrawal = { actions.io { model.confirmWithdrawal() } },
        onCancelWithdrawal = model::cancelWithdrawal,
    )
}

/**
 * A beneficiary's file: who they are, status cards, visits and follow-ups, and their consent.
 * Once consent is withdrawn, a banner says since when, and the actions that make new records
 * (a visit, a family member, carrying on with a draft) are gone: the core refuses them.
 */
@Composable
fun BeneficiaryFileScreen(
    state: BeneficiaryFileState,
    templates: List<ChecklistTemplate>,
    onBack: () -> Unit,
    onEdit: () -> Unit,
    onRegisterFamily: () -> Unit,
    onNewVisit: (templateId: String) -> Unit,
    onOpenVisit: (visitId: String) -> Unit,
    onSync: () -> Unit,
    onWithdrawConsent: () -> Unit,
    onConfirmWithdrawal: () -> Unit,
    onCancelWithdrawal: () -> Unit,
) {
    val file = state.file
    Scaffold(
        topBar = {
            DesmigTopBar(
                title = file?.beneficiary?.fullName ?: stringResource(R.string.file_title),
                onBack = onBack,
                onSync = onSync,
                actions = {
                    if (file != null) {
                        IconButton(onClick = onEdit) { Icon(Icons.Filled.Edit, contentDescription = stringResource(R.string.action_edit)) }
                    }
                },
            )
        },
    ) { padding ->
        if (file == null) {
            Box(Modifier.fillMaxSize().padding(padding).padding(16.dp)) {
                if (state.error != null) ErrorBanner(state.error) else LoadingBox()
            }
            return@Scaffold
        }
        LazyColumn(
            modifier = Modifier.fillMaxSize().padding(padding),
            contentPadding = PaddingValues(16.dp),
            verticalArrangement = Arrangement.spacedBy(8.dp),
        ) {
            item { ErrorBanner(state.error) }
            state.consentWithdrawnAt?.let { at -> item { ConsentWithdrawnBanner(at) } }
            item { IdentityCard(file.beneficiary, file.villageName) }
            if (state.canAddRecords) {
                item {
                    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                        NewVisitButton(templates, onNewVisit)
                        OutlinedButton(onClick = onRegisterFamily) { Text(stringResource(R.string.file_register_family)) }
                    }
                }
            }
            item { SectionTitle(stringResource(R.string.file_status)) }
            // The capital cards come in the order of file.capitalApplications (see BeneficiaryFileModel).
            val capitalHistories = file.capitalApplications.map { app ->
                file.history.filter { it.subject == StageSubject.CAPITAL_APPLICATION && it.subjectId == app.id }
            }
            var capitalIndex = 0
            val cards = state.cards.map { card ->
                card to if (card.title == "card_capital") capitalHistories.getOrNull(capitalIndex++).orEmpty() else emptyList()
            }
            itemsIndexed(cards) { _, (card, history) -> StatusCardView(card, history) }

            item { SectionTitle(stringResource(R.string.file_visits)) }
            if (file.visits.isEmpty()) item { Text(stringResource(R.string.file_no_visits)) }
            items(file.visits, key = { it.id }) { visit ->
                VisitRow(visit, templates.firstOrNull { it.id == visit.templateId }, canContinue = state.canAddRecords, onOpen = { onOpenVisit(visit.id) })
            }

            item { SectionTitle(stringResource(R.string.file_follow_ups)) }
            if (file.followUps.isEmpty()) item { Text(stringResource(R.string.file_no_follow_ups)) }
            items(file.followUps, key = { it.id }) { FollowUpRow(it) }

            item { SectionTitle(stringResource(R.string.file_consent)) }
            item { ConsentSection(file.beneficiary, state.canWithdrawConsent, onWithdrawConsent) }
        }
    }

    if (state.confirmingWithdrawal && file != null) {
        AlertDialog(
            onDismissRequest = onCancelWithdrawal,
            title = { Text(stringResource(R.string.withdraw_consent_title, file.beneficiary.fullName)) },
            text = { Text(stringResource(R.string.withdraw_consent_message)) },
            confirmButton = {
                TextButton(
                    onClick = onConfirmWithdrawal,
                    colors = ButtonDefaults.textButtonColors(contentColor = MaterialTheme.colorScheme.error),
                ) { Text(stringResource(R.string.file_withdraw_consent)) }
            },
            dismissButton = {
                TextButton(onClick = onCancelWithdrawal) { Text(stringResource(R.string.action_cancel)) }
            },
        )
    }
}

/** Since when the person has withdrawn consent, and what that means for the file. */
@Composable
private fun ConsentWithdrawnBanner(withdrawnAt: Long) {
    Card(
        modifier = Modifier.fillMaxWidth(),
        colors = CardDefaults.cardColors(
            containerColor = MaterialTheme.colorScheme.errorContainer,
            contentColor = MaterialTheme.colorScheme.onErrorContainer,
        ),
    ) {
        Text(
            stringResource(R.string.file_consent_withdrawn, formatTimestamp(withdrawnAt)),
            modifier = Modifier.padding(16.dp),
            style = MaterialTheme.typography.bodyMedium,
        )
    }
}

/** How and when consent was given; "withdraw consent" while it stands (confirmed in a dialog). */
@Composable
private fun ConsentSection(b: Beneficiary, canWithdraw: Boolean, onWithdraw: () -> Unit) {
    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Text(
            stringResource(R.string.file_consent_given, formatTimestamp(b.consentGivenAt), stringResource(consentMethodRes(b.consentMethod))),
            style = MaterialTheme.typography.bodyMedium,
        )
        if (canWithdraw) {
            Text(
                stringResource(R.string.file_consent_withdraw_hint),
                style = MaterialTheme.typography.bodySmall,
                color = MaterialTheme.colorScheme.onSurfaceVariant,
            )
            OutlinedButton(
                onClick = onWithdraw,
                colors = ButtonDefaults.outlinedButtonColors(contentColor = MaterialTheme.colorScheme.error),
            ) { Text(stringResource(R.string.file_withdraw_consent)) }
        }
    }
}

@Composable
private fun IdentityCard(b: Beneficiary, villageName: String) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp)) {
            Text(b.fullName, style = MaterialTheme.typography.titleLarge)
            Text(
                "${stringResource(beneficiaryKindRes(b.kind))} · ${stringResource(sexRes(b.sex))}",
                style = MaterialTheme.typography.bodyMedium,
                color = MaterialTheme.colorScheme.onSurfaceVariant,
            )
            LabeledValue(stringResource(R.string.field_nik), b.nik ?: "—")
            b.birthDate?.let { LabeledValue(stringResource(R.string.field_birth_date), formatIsoDate(it)) }
            b.phone?.let { LabeledValue(stringResource(R.string.field_phone), it) }
            LabeledValue(stringResource(R.string.field_village), villageName)
            b.address?.let { LabeledValue(stringResource(R.string.field_address), it) }
            b.lastCountry?.let { LabeledValue(stringResource(R.string.field_last_country), it) }
        }
    }
}

@Composable
private fun NewVisitButton(templates: List<ChecklistTemplate>, onNewVisit: (String) -> Unit) {
    var open by remember { mutableStateOf(false) }
    Box {
        Button(onClick = { open = true }, enabled = templates.isNotEmpty()) {
            Icon(Icons.Filled.Add, contentDescription = null)
            Text(stringResource(R.string.file_new_visit), modifier = Modifier.padding(start = 8.dp))
        }
        DropdownMenu(expanded = open, onDismissRequest = { open = false }) {
            templates.forEach { t ->
                DropdownMenuItem(
                    text = {
                        Column {
                            Text(t.title.localized())
                            Text(t.description.localized(), style = MaterialTheme.typography.bodySmall, maxLines = 2)
                        }
                    },
                    onClick = { open = false; onNewVisit(t.id) },
                )
            }
        }
    }
}

/** One status card: what it is about, where it stands, its details; a capital card with its stages. */
@Composable
private fun StatusCardView(card: StatusCard, capitalStages: List<StageChange>) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp)) {
            Text(
                messageRes(card.title)?.let { stringResource(it) } ?: card.title,
                style = MaterialTheme.typography.labelLarge,
                color = MaterialTheme.colorScheme.primary,
            )
            val status = when {
                card.status == "trainings_count" -> stringResource(R.string.trainings_count, card.detail.size)
                else -> messageRes(card.status)?.let { stringResource(it) } ?: card.status
            }
            Text(status, style = MaterialTheme.typography.titleMedium)
            card.detail.forEach { line ->
                Text(cardDetailText(line), style = MaterialTheme.typography.bodyMedium)
            }
            if (capitalStages.isNotEmpty()) {
                Text(
                    stringResource(R.string.file_capital_stages),
                    modifier = Modifier.padding(top = 8.dp),
                    style = MaterialTheme.typography.labelMedium,
                )
                capitalStages.forEach { change ->
                    val stage = capitalStageRes(change.to)?.let { stringResource(it) } ?: change.to
                    val note = change.note?.let { " — $it" }.orEmpty()
                    Text("• ${formatTimestamp(change.at)}: $stage$note", style = MaterialTheme.typography.bodySmall)
                }
            }
        }
    }
}

@Composable
private fun VisitRow(visit: Visit, template: ChecklistTemplate?, canContinue: Boolean, onOpen: () -> Unit) {
    // A draft is carried on only while new records may be made (not after consent is withdrawn).
    val draft = visit.status == VisitStatus.DRAFT && canContinue
    ListItem(
        headlineContent = { Text(template?.title?.localized() ?: visit.templateId) },
        supportingContent = {
            Text(
                stringResource(
                    R.string.file_visit_line,
                    formatTimestamp(visit.startedAt),
                    stringResource(visitStatusRes(visit.status)),
                    visit.completeness.toInt(),
                ),
            )
        },
        trailingContent = when {
            visit.verifiedAt != null -> ({ Icon(Icons.Filled.CheckCircle, contentDescription = stringResource(R.string.file_visit_verified)) })
            draft -> ({ Text(stringResource(R.string.file_visit_continue), color = MaterialTheme.colorScheme.primary) })
            else -> null
        },
        modifier = if (draft) Modifier.clickable(onClick = onOpen) else Modifier,
    )
}

@Composable
private fun FollowUpRow(f: FollowUp) {
    ListItem(
        headlineContent = { Text(f.action) },
        supportingContent = {
            val done = f.doneOn
            Text(
                if (done != null) stringResource(R.string.follow_up_done_on, formatIsoDate(done))
                else stringResource(R.string.follow_up_due_on, formatIsoDate(f.dueDate)),
            )
        },
    )
}
