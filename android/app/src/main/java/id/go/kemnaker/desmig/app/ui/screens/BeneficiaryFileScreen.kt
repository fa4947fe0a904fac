package id.go.kemnaker.desmig.app.ui.screens

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
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
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.app.ui.ChoiceField
import id.go.kemnaker.desmig.app.ui.DateField
import id.go.kemnaker.desmig.app.ui.DesmigTopBar
import id.go.kemnaker.desmig.app.ui.ErrorBanner
import id.go.kemnaker.desmig.app.ui.FormTextField
import id.go.kemnaker.desmig.app.ui.LabeledValue
import id.go.kemnaker.desmig.app.ui.LoadingBox
import id.go.kemnaker.desmig.app.ui.SectionTitle
import id.go.kemnaker.desmig.app.ui.beneficiaryKindRes
import id.go.kemnaker.desmig.app.ui.capitalSourceRes
import id.go.kemnaker.desmig.app.ui.capitalStageRes
import id.go.kemnaker.desmig.app.ui.cardLineText
import id.go.kemnaker.desmig.app.ui.fieldRes
import id.go.kemnaker.desmig.app.ui.consentMethodRes
import id.go.kemnaker.desmig.app.ui.countryName
import id.go.kemnaker.desmig.app.ui.dateText
import id.go.kemnaker.desmig.app.ui.formatTimestamp
import id.go.kemnaker.desmig.app.ui.keyText
import id.go.kemnaker.desmig.app.ui.localized
import id.go.kemnaker.desmig.app.ui.observe
import id.go.kemnaker.desmig.app.ui.rememberActions
import id.go.kemnaker.desmig.app.ui.rememberHolder
import id.go.kemnaker.desmig.app.ui.sexRes
import id.go.kemnaker.desmig.app.ui.text
import id.go.kemnaker.desmig.app.ui.visitStatusRes
import id.go.kemnaker.desmig.core.Beneficiary
import id.go.kemnaker.desmig.core.CapitalSource
import id.go.kemnaker.desmig.core.CardAction
import id.go.kemnaker.desmig.core.CardKind
import id.go.kemnaker.desmig.core.ChecklistTemplate
import id.go.kemnaker.desmig.core.FieldError
import id.go.kemnaker.desmig.core.InputKind
import id.go.kemnaker.desmig.core.MoveField
import id.go.kemnaker.desmig.core.FollowUp
import id.go.kemnaker.desmig.core.StageChange
import id.go.kemnaker.desmig.core.StageSubject
import id.go.kemnaker.desmig.core.StatusCard
import id.go.kemnaker.desmig.core.Visit
import id.go.kemnaker.desmig.core.VisitStatus
import id.go.kemnaker.desmig.state.AppSession
import id.go.kemnaker.desmig.state.BeneficiaryFileModel
import id.go.kemnaker.desmig.state.BeneficiaryFileState
import id.go.kemnaker.desmig.state.StatusMoveState
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
    onAddTraining: () -> Unit,
    onAddCapital: (CapitalSource) -> Unit,
    onAddBusiness: () -> Unit,
    onRecordSale: (businessId: String) -> Unit,
    onEditTraining: (trainingId: String) -> Unit,
    onEditBusiness: (businessId: String) -> Unit,
) {
    val model = rememberHolder("file:$beneficiaryId") { BeneficiaryFileModel(session.store, beneficiaryId) } ?: return LoadingBox()
    val state by model.observe()
    val move by model.moves.observe()
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
        move = move,
        // Starting a move reads the record from the core; typing only changes the holder's state.
        onAction = { card, action -> actions.io { model.moves.start(card, action) } },
        onMoveEdit = model.moves::edit,
        onMoveNote = model.moves::editNote,
        onMoveSave = { actions.io { model.moves.save() } },
        onMoveCancel = model.moves::cancel,
        onAddTraining = onAddTraining,
        onAddCapital = onAddCapital,
        onAddBusiness = onAddBusiness,
        onRecordSale = onRecordSale,
        onEditTraining = onEditTraining,
        onEditBusiness = onEditBusiness,
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
    move: StatusMoveState = StatusMoveState(),
    onAction: (StatusCard, CardAction) -> Unit = { _, _ -> },
    onMoveEdit: (field: String, value: String) -> Unit = { _, _ -> },
    onMoveNote: (String) -> Unit = {},
    onMoveSave: () -> Unit = {},
    onMoveCancel: () -> Unit = {},
    onAddTraining: () -> Unit = {},
    onAddCapital: (CapitalSource) -> Unit = {},
    onAddBusiness: () -> Unit = {},
    onRecordSale: (businessId: String) -> Unit = {},
    onEditTraining: (trainingId: String) -> Unit = {},
    onEditBusiness: (businessId: String) -> Unit = {},
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
            // The core's cards, in its order; each offers only the moves the core allows.
            items(state.cards, key = { "${it.kind.name}:${it.subjectId}" }) { card ->
                val history = if (card.kind == CardKind.CAPITAL) {
                    file.history.filter { it.subject == StageSubject.CAPITAL_APPLICATION && it.subjectId == card.subjectId }
                } else {
                    emptyList()
                }
                StatusCardView(
                    card = card,
                    capitalStages = history,
                    canChange = state.canAddRecords,
                    canEdit = state.canEdit(card),
                    onAction = { action -> onAction(card, action) },
                    onRecordSale = { onRecordSale(card.subjectId) },
                    onEdit = {
                        when (card.kind) {
                            CardKind.TRAINING -> onEditTraining(card.subjectId)
                            CardKind.BUSINESS -> onEditBusiness(card.subjectId)
                            else -> {}
                        }
                    },
                )
            }
            if (state.canAddRecords) {
                item { AddRecordButtons(onAddTraining, onAddCapital, onAddBusiness) }
            }

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

    if (move.move != null) {
        StatusMoveDialog(move, onMoveEdit, onMoveNote, onMoveSave, onMoveCancel)
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
            b.birthDate?.let { LabeledValue(stringResource(R.string.field_birth_date), dateText(it)) }
            b.phone?.let { LabeledValue(stringResource(R.string.field_phone), it) }
            LabeledValue(stringResource(R.string.field_village), villageName)
            b.address?.let { LabeledValue(stringResource(R.string.field_address), it) }
            b.lastCountry?.let { LabeledValue(stringResource(R.string.field_last_country), countryName(it)) }
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

/** The test tag of a status card (UI tests find a card's own buttons: every card may say "Ubah"). */
fun statusCardTag(kind: CardKind, subjectId: String): String = "status_card:${kind.name.lowercase()}:$subjectId"

/**
 * One of the core's status cards: what it is about, where it stands, its lines and warnings, and
 * a button for each move the core offers (none when the status is final). A capital card lists
 * the stages it went through; a business card offers recording a sale; a training or business
 * card offers editing its record ([canEdit]).
 */
@Composable
private fun StatusCardView(
    card: StatusCard,
    capitalStages: List<StageChange>,
    canChange: Boolean,
    canEdit: Boolean,
    onAction: (CardAction) -> Unit,
    onRecordSale: () -> Unit,
    onEdit: () -> Unit,
) {
    Card(Modifier.fillMaxWidth().testTag(statusCardTag(card.kind, card.subjectId))) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(2.dp)) {
            Text(keyText(card.titleKey), style = MaterialTheme.typography.labelLarge, color = MaterialTheme.colorScheme.primary)
            card.title?.let { Text(it, style = MaterialTheme.typography.titleSmall) }
            Text(keyText(card.stageKey), style = MaterialTheme.typography.titleMedium)
            card.lines.forEach { line -> Text(cardLineText(line), style = MaterialTheme.typography.bodyMedium) }
            card.warnings.forEach { w ->
                Text(keyText(w), style = MaterialTheme.typography.bodyMedium, color = MaterialTheme.colorScheme.error)
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
            val recordsSales = card.kind == CardKind.BUSINESS
            if (canChange && (card.actions.isNotEmpty() || recordsSales || canEdit)) {
                FlowRow(
                    modifier = Modifier.padding(top = 8.dp),
                    horizontalArrangement = Arrangement.spacedBy(8.dp),
                    verticalArrangement = Arrangement.spacedBy(4.dp),
                ) {
                    card.actions.forEach { action ->
                        OutlinedButton(onClick = { onAction(action) }) {
                            Text(stringResource(R.string.action_move_to, keyText(action.stageKey)))
                        }
                    }
                    if (recordsSales) {
                        Button(onClick = onRecordSale) { Text(stringResource(R.string.file_record_sale)) }
                    }
                    if (canEdit) {
                        TextButton(onClick = onEdit) {
                            Icon(Icons.Filled.Edit, contentDescription = null)
                            Text(stringResource(R.string.action_edit), modifier = Modifier.padding(start = 8.dp))
                        }
                    }
                }
            }
        }
    }
}

/** Adding a training, a capital application (by its source) or a business to the file. */
@Composable
private fun AddRecordButtons(onAddTraining: () -> Unit, onAddCapital: (CapitalSource) -> Unit, onAddBusiness: () -> Unit) {
    var sources by remember { mutableStateOf(false) }
    FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
        OutlinedButton(onClick = onAddTraining) {
            Icon(Icons.Filled.Add, contentDescription = null)
            Text(stringResource(R.string.file_add_training), modifier = Modifier.padding(start = 8.dp))
        }
        Box {
            OutlinedButton(onClick = { sources = true }) {
                Icon(Icons.Filled.Add, contentDescription = null)
                Text(stringResource(R.string.file_add_capital), modifier = Modifier.padding(start = 8.dp))
            }
            DropdownMenu(expanded = sources, onDismissRequest = { sources = false }) {
                CapitalSource.entries.forEach { source ->
                    DropdownMenuItem(text = { Text(stringResource(capitalSourceRes(source))) }, onClick = { sources = false; onAddCapital(source) })
                }
            }
        }
        OutlinedButton(onClick = onAddBusiness) {
            Icon(Icons.Filled.Add, contentDescription = null)
            Text(stringResource(R.string.file_add_business), modifier = Modifier.padding(start = 8.dp))
        }
    }
}

/**
 * A move of one card to the stage the user picked: the inputs that stage records (by the core's
 * field names, each with the core's problems under it), a note, and the core's refusal if any.
 */
@Composable
private fun StatusMoveDialog(
    state: StatusMoveState,
    onEdit: (field: String, value: String) -> Unit,
    onNote: (String) -> Unit,
    onSave: () -> Unit,
    onCancel: () -> Unit,
) {
    val move = state.move ?: return
    AlertDialog(
        onDismissRequest = onCancel,
        title = { Text(stringResource(R.string.move_title, keyText(move.toKey))) },
        text = {
            Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                Text(stringResource(R.string.move_from, keyText(move.fromKey)), style = MaterialTheme.typography.bodyMedium)
                val conflict = state.conflict
                if (conflict != null) {
                    Text(stringResource(R.string.move_refused, conflict), color = MaterialTheme.colorScheme.error)
                } else {
                    ErrorBanner(state.error)
                }
                // Problems with fields this dialog does not show (the core may name others).
                state.problems.filterKeys { it !in move.fieldNames }.forEach { (field, list) ->
                    val name = fieldRes(field)?.let { stringResource(it) } ?: field
                    list.forEach { p -> Text("$name: ${p.text()}", color = MaterialTheme.colorScheme.error) }
                }
                if (move.fields.isEmpty()) Text(stringResource(R.string.move_no_fields), style = MaterialTheme.typography.bodySmall)
                if (move.fields.any { it.required }) Text(stringResource(R.string.move_required_hint), style = MaterialTheme.typography.bodySmall)
                move.fields.forEach { field ->
                    MoveFieldInput(field, move.values[field.name].orEmpty(), state.problems[field.name]) { v -> onEdit(field.name, v) }
                }
                FormTextField(stringResource(R.string.move_note), move.note, onNote, null, singleLine = false)
            }
        },
        confirmButton = { TextButton(onClick = onSave) { Text(stringResource(R.string.action_save)) } },
        dismissButton = { TextButton(onClick = onCancel) { Text(stringResource(R.string.action_cancel)) } },
    )
}

/**
 * One field of a move, in the control the core says it takes (`kind`), labelled by its name and
 * marked * when the core requires it; a choice offers the core's options and keeps the chosen
 * one's value (none, when it is not required).
 */
@Composable
private fun MoveFieldInput(field: MoveField, value: String, problems: List<FieldError>?, onChange: (String) -> Unit) {
    val name = fieldRes(field.name)?.let { stringResource(it) } ?: field.name
    val label = if (field.required) "$name *" else name
    when (field.kind) {
        InputKind.DATE -> DateField(label, value.ifEmpty { null }, { d -> onChange(d.orEmpty()) }, problems = problems)
        InputKind.RUPIAH, InputKind.INTEGER -> FormTextField(
            label, value, { v -> onChange(v.filter { it.isDigit() || it == '.' }) }, problems,
            keyboardType = KeyboardType.Number,
        )
        InputKind.TEXT -> FormTextField(label, value, onChange, problems)
        InputKind.CHOICE -> ChoiceField(
            label = label,
            options = field.options,
            selected = field.options.firstOrNull { it.value == value },
            optionLabel = { it.label },
            onSelect = { option -> onChange(option?.value.orEmpty()) },
            noneLabel = if (field.required) null else stringResource(R.string.choice_none),
            problems = problems,
        )
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
                if (done != null) stringResource(R.string.follow_up_done_on, dateText(done))
                else stringResource(R.string.follow_up_due_on, dateText(f.dueDate)),
            )
        },
    )
}
