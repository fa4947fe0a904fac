package id.go.kemnaker.desmig.app.ui.screens

import android.widget.Toast
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.imePadding
import androidx.compose.foundation.layout.navigationBarsPadding
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.selection.selectable
import androidx.compose.foundation.selection.toggleable
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.Checkbox
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Scaffold
import androidx.compose.material3.SegmentedButton
import androidx.compose.material3.SegmentedButtonDefaults
import androidx.compose.material3.SingleChoiceSegmentedButtonRow
import androidx.compose.material3.SnackbarHost
import androidx.compose.material3.SnackbarHostState
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.app.location.LOCATION_PERMISSIONS
import id.go.kemnaker.desmig.app.location.hasLocationPermission
import id.go.kemnaker.desmig.app.location.visitLocation
import id.go.kemnaker.desmig.app.ui.DateField
import id.go.kemnaker.desmig.app.ui.DesmigTopBar
import id.go.kemnaker.desmig.app.ui.ErrorBanner
import id.go.kemnaker.desmig.app.ui.LoadingBox
import id.go.kemnaker.desmig.app.ui.ProblemLines
import id.go.kemnaker.desmig.app.ui.SectionTitle
import id.go.kemnaker.desmig.app.ui.fieldRes
import id.go.kemnaker.desmig.app.ui.dateText
import id.go.kemnaker.desmig.app.ui.localized
import id.go.kemnaker.desmig.app.ui.observe
import id.go.kemnaker.desmig.app.ui.rememberActions
import id.go.kemnaker.desmig.app.ui.rememberHolder
import id.go.kemnaker.desmig.app.ui.text
import id.go.kemnaker.desmig.core.AnswerValue
import id.go.kemnaker.desmig.core.ChecklistItem
import id.go.kemnaker.desmig.core.FieldError
import id.go.kemnaker.desmig.core.GeoPoint
import id.go.kemnaker.desmig.core.ItemKind
import id.go.kemnaker.desmig.state.AppSession
import id.go.kemnaker.desmig.state.VisitFormModel
import id.go.kemnaker.desmig.state.VisitFormState
import id.go.kemnaker.desmig.state.attempt
import id.go.kemnaker.desmig.state.formatRupiah
import kotlinx.coroutines.launch
import java.util.concurrent.atomic.AtomicBoolean

/** The form's holder, and whether the visit was asked to start (once, however often the screen is recreated). */
private class VisitSession(val model: VisitFormModel) {
    val startRequested = AtomicBoolean(false)
}

/**
 * Starts a new visit of [templateId] for the beneficiary (with the phone's GPS point when the user
 * allows it), or reopens the draft [visitId].
 */
@Composable
fun VisitFormRoute(session: AppSession, beneficiaryId: String, templateId: String?, visitId: String?, onBack: () -> Unit) {
    val context = LocalContext.current
    val holder = rememberHolder("visit") { VisitSession(VisitFormModel(session.store)) } ?: return LoadingBox()
    val model = holder.model
    val state by model.observe()
    val actions = rememberActions()
    val scope = rememberCoroutineScope()
    val snackbar = remember { SnackbarHostState() }

    val start: (GeoPoint?) -> Unit = { location ->
        actions.io {
            when {
                templateId != null -> model.start(beneficiaryId, templateId, location)
                visitId != null -> attempt { session.store.beneficiaryFile(beneficiaryId).visits.firstOrNull { it.id == visitId } }
                    .onSuccess { visit -> visit?.let(model::open) }
            }
        }
    }
    val startWithLocation: () -> Unit = { scope.launch { start(visitLocation(context)) } }
    val askLocation = rememberLauncherForActivityResult(ActivityResultContracts.RequestMultiplePermissions()) { grants ->
        if (grants.values.any { it }) startWithLocation() else start(null)
    }
    LaunchedEffect(holder) {
        if (!holder.startRequested.compareAndSet(false, true)) return@LaunchedEffect
        when {
            templateId == null -> start(null) // a reopened draft keeps the point it was started with
            hasLocationPermission(context) -> startWithLocation()
            else -> askLocation.launch(LOCATION_PERMISSIONS)
        }
    }

    val draftSaved = stringResource(R.string.visit_draft_saved)
    VisitFormScreen(
        state = state,
        snackbar = snackbar,
        onAnswer = { itemId, value -> actions.io { model.answer(itemId, value) } },
        // Notes and follow-ups only change the holder's in-memory state: done at once.
        onNotes = model::editNotes,
        onAddFollowUp = model::addFollowUp,
        onSaveDraft = {
            actions.io({ model.saveDraft() }) { ok -> if (ok) scope.launch { snackbar.showSnackbar(draftSaved) } }
        },
        onComplete = {
            actions.io({ model.complete() }) { ok ->
                if (ok) {
                    Toast.makeText(context, R.string.visit_completed_toast, Toast.LENGTH_LONG).show()
                    onBack()
                }
            }
        },
        onBack = onBack,
    )
}

/**
 * A mentoring visit, rendered from its checklist: only the items the core says are visible now, each
 * with the core's problems under it; completeness as the core counts it.
 */
@Composable
fun VisitFormScreen(
    state: VisitFormState,
    snackbar: SnackbarHostState,
    onAnswer: (itemId: String, value: AnswerValue?) -> Unit,
    onNotes: (String) -> Unit,
    onAddFollowUp: (action: String, dueDate: String) -> Unit,
    onSaveDraft: () -> Unit,
    onComplete: () -> Unit,
    onBack: () -> Unit,
) {
    val template = state.template
    val editable = state.visit != null && !state.completed
    Scaffold(
        topBar = { DesmigTopBar(title = template?.title?.localized() ?: stringResource(R.string.visit_title), onBack = onBack) },
        snackbarHost = { SnackbarHost(snackbar) },
        bottomBar = {
            Surface(tonalElevation = 3.dp) {
                Row(
                    Modifier.fillMaxWidth().navigationBarsPadding().padding(horizontal = 16.dp, vertical = 8.dp),
                    horizontalArrangement = Arrangement.spacedBy(12.dp),
                ) {
                    OutlinedButton(onClick = onSaveDraft, enabled = editable, modifier = Modifier.weight(1f)) {
                        Text(stringResource(R.string.visit_save_draft))
                    }
                    Button(onClick = onComplete, enabled = editable, modifier = Modifier.weight(1f)) {
                        Text(stringResource(R.string.visit_complete))
                    }
                }
            }
        },
    ) { padding ->
        if (template == null) {
            Column(Modifier.fillMaxSize().padding(padding).padding(16.dp)) {
                if (state.error != null) ErrorBanner(state.error) else LoadingBox()
            }
            return@Scaffold
        }
        val itemIds = state.items.map { it.id }.toSet()
        LazyColumn(
            modifier = Modifier.fillMaxSize().padding(padding).imePadding(),
            contentPadding = PaddingValues(16.dp),
            verticalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            item(key = "header") {
                Column(verticalArrangement = Arrangement.spacedBy(4.dp)) {
                    Text(template.description.localized(), style = MaterialTheme.typography.bodyMedium)
                    Text(stringResource(R.string.visit_completeness, state.completeness), style = MaterialTheme.typography.labelLarge)
                    LinearProgressIndicator(progress = { state.completeness / 100f }, modifier = Modifier.fillMaxWidth())
                    Text(stringResource(R.string.visit_required_hint), style = MaterialTheme.typography.bodySmall)
                }
            }
            item(key = "error") { ErrorBanner(state.error) }
            if (state.completed) {
                item(key = "completed") {
                    Card(colors = CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.primaryContainer)) {
                        Text(stringResource(R.string.visit_completed_banner), modifier = Modifier.padding(16.dp))
                    }
                }
            }
            // Problems the core reports for something other than a shown item (notes, follow-ups, ...).
            val otherProblems = state.problems.filterKeys { it !in itemIds }
            if (otherProblems.isNotEmpty()) {
                item(key = "other-problems") {
                    Column {
                        otherProblems.forEach { (field, list) ->
                            val name = fieldRes(field)?.let { stringResource(it) } ?: field
                            list.forEach { p -> Text("$name: ${p.text()}", color = MaterialTheme.colorScheme.error) }
                        }
                    }
                }
            }
            items(state.items, key = { it.id }) { item ->
                ChecklistItemField(
                    item = item,
                    answer = state.answers[item.id],
                    problems = state.problems[item.id],
                    enabled = editable,
                    onAnswer = { value -> onAnswer(item.id, value) },
                )
                HorizontalDivider(Modifier.padding(top = 12.dp))
            }
            item(key = "notes") {
                OutlinedTextField(
                    value = state.notes,
                    onValueChange = onNotes,
                    label = { Text(stringResource(R.string.visit_notes)) },
                    enabled = editable,
                    minLines = 3,
                    modifier = Modifier.fillMaxWidth(),
                )
            }
            item(key = "follow-ups") {
                FollowUps(state, editable, onAddFollowUp)
            }
        }
    }
}

/** The test tag of a checklist item's field (its label, answer and problems). */
fun checklistItemTag(itemId: String): String = "checklist_item:$itemId"

/** One checklist item, drawn by its kind. Labels in the device language (Indonesian by default). */
@Composable
private fun ChecklistItemField(
    item: ChecklistItem,
    answer: AnswerValue?,
    problems: List<FieldError>?,
    enabled: Boolean,
    onAnswer: (AnswerValue?) -> Unit,
) {
    // Tagged by the item's id: every yes/no item has the same "Ya" and "Tidak" (UI tests find an item's own).
    Column(Modifier.testTag(checklistItemTag(item.id)), verticalArrangement = Arrangement.spacedBy(6.dp)) {
        Text(
            item.label.localized() + if (item.required) " *" else "",
            style = MaterialTheme.typography.titleSmall,
        )
        item.help?.let { Text(it.localized(), style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant) }
        when (item.kind) {
            ItemKind.YES_NO -> YesNoAnswer((answer as? AnswerValue.YesNo)?.value, enabled, onAnswer)
            ItemKind.SINGLE_CHOICE -> SingleChoiceAnswer(item, (answer as? AnswerValue.Choice)?.value, enabled, onAnswer)
            ItemKind.MULTI_CHOICE -> MultiChoiceAnswer(item, (answer as? AnswerValue.Choices)?.values.orEmpty(), enabled, onAnswer)
            ItemKind.INTEGER, ItemKind.RUPIAH -> NumberAnswer(item, answer, enabled, onAnswer)
            ItemKind.TEXT -> TextAnswer(item, (answer as? AnswerValue.Text)?.value.orEmpty(), enabled, onAnswer)
            ItemKind.DATE -> DateField(
                label = stringResource(R.string.visit_date_answer),
                value = (answer as? AnswerValue.Date)?.value,
                onChange = { date -> if (enabled) onAnswer(date?.let { AnswerValue.Date(it) }) },
            )
        }
        ProblemLines(problems)
    }
}

@Composable
private fun YesNoAnswer(value: Boolean?, enabled: Boolean, onAnswer: (AnswerValue?) -> Unit) {
    val options = listOf(true to stringResource(R.string.answer_yes), false to stringResource(R.string.answer_no))
    SingleChoiceSegmentedButtonRow(Modifier.fillMaxWidth()) {
        options.forEachIndexed { index, (option, label) ->
            SegmentedButton(
                selected = value == option,
                onClick = { onAnswer(AnswerValue.YesNo(option)) },
                enabled = enabled,
                shape = SegmentedButtonDefaults.itemShape(index = index, count = options.size),
            ) { Text(label) }
        }
    }
}

@Composable
private fun SingleChoiceAnswer(item: ChecklistItem, value: String?, enabled: Boolean, onAnswer: (AnswerValue?) -> Unit) {
    Column {
        item.options.forEach { option ->
            Row(
                Modifier
                    .fillMaxWidth()
                    .selectable(
                        selected = value == option.value,
                        enabled = enabled,
                        role = Role.RadioButton,
                        onClick = { onAnswer(AnswerValue.Choice(option.value)) },
                    )
                    .padding(vertical = 6.dp),
                verticalAlignment = Alignment.CenterVertically,
            ) {
                RadioButton(selected = value == option.value, onClick = null, enabled = enabled)
                Text(option.label.localized(), modifier = Modifier.padding(start = 12.dp))
            }
        }
    }
}

@Composable
private fun MultiChoiceAnswer(item: ChecklistItem, values: List<String>, enabled: Boolean, onAnswer: (AnswerValue?) -> Unit) {
    Column {
        item.options.forEach { option ->
            val checked = option.value in values
            Row(
                Modifier
                    .fillMaxWidth()
                    .toggleable(
                        value = checked,
                        enabled = enabled,
                        role = Role.Checkbox,
                        onValueChange = { on ->
                            val next = if (on) values + option.value else values - option.value
                            onAnswer(if (next.isEmpty()) null else AnswerValue.Choices(next))
                        },
                    )
                    .padding(vertical = 6.dp),
                verticalAlignment = Alignment.CenterVertically,
            ) {
                Checkbox(checked = checked, onCheckedChange = null, enabled = enabled)
                Text(option.label.localized(), modifier = Modifier.padding(start = 12.dp))
            }
        }
    }
}

/**
 * A whole number or an amount in rupiah. Digits as typed; the core checks the answer (a text that
 * is no number goes to it as text and comes back as a problem). Amounts show as `Rp 10.000.000`.
 */
@Composable
private fun NumberAnswer(item: ChecklistItem, answer: AnswerValue?, enabled: Boolean, onAnswer: (AnswerValue?) -> Unit) {
    val initial = when (answer) {
        is AnswerValue.Number -> answer.value.toString()
        is AnswerValue.Text -> answer.value
        else -> ""
    }
    var text by rememberSaveable(item.id) { mutableStateOf(initial) }
    val number = text.toLongOrNull()
    val range = listOfNotNull(
        item.min?.let { stringResource(R.string.visit_min, if (item.kind == ItemKind.RUPIAH) formatRupiah(it) else it.toString()) },
        item.max?.let { stringResource(R.string.visit_max, if (item.kind == ItemKind.RUPIAH) formatRupiah(it) else it.toString()) },
    ).joinToString(" · ")
    OutlinedTextField(
        value = text,
        onValueChange = { typed ->
            val cleaned = typed.filter { it.isDigit() || it == '-' }
            text = cleaned
            val n = cleaned.toLongOrNull()
            onAnswer(
                when {
                    cleaned.isEmpty() -> null
                    n != null -> AnswerValue.Number(n)
                    else -> AnswerValue.Text(cleaned)
                },
            )
        },
        enabled = enabled,
        singleLine = true,
        prefix = if (item.kind == ItemKind.RUPIAH) ({ Text("Rp ") }) else null,
        supportingText = {
            val shown = listOfNotNull(
                number?.takeIf { item.kind == ItemKind.RUPIAH }?.let(::formatRupiah),
                range.ifEmpty { null },
            )
            if (shown.isNotEmpty()) Text(shown.joinToString(" — "))
        },
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
        modifier = Modifier.fillMaxWidth(),
    )
}

@Composable
private fun TextAnswer(item: ChecklistItem, value: String, enabled: Boolean, onAnswer: (AnswerValue?) -> Unit) {
    var text by rememberSaveable(item.id) { mutableStateOf(value) }
    OutlinedTextField(
        value = text,
        onValueChange = { typed ->
            text = typed
            onAnswer(if (typed.isEmpty()) null else AnswerValue.Text(typed))
        },
        enabled = enabled,
        minLines = 2,
        modifier = Modifier.fillMaxWidth(),
    )
}

/** The follow-ups agreed at this visit: saved with it when it is completed. */
@Composable
private fun FollowUps(state: VisitFormState, editable: Boolean, onAdd: (action: String, dueDate: String) -> Unit) {
    Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
        SectionTitle(stringResource(R.string.visit_follow_ups))
        state.followUps.forEach { f ->
            Text("• ${f.action} — ${stringResource(R.string.follow_up_due_on, dateText(f.dueDate))}")
        }
        if (editable) {
            var action by rememberSaveable { mutableStateOf("") }
            var due by rememberSaveable { mutableStateOf<String?>(null) }
            OutlinedTextField(
                value = action,
                onValueChange = { action = it },
                label = { Text(stringResource(R.string.visit_follow_up_action)) },
                modifier = Modifier.fillMaxWidth(),
            )
            DateField(label = stringResource(R.string.visit_follow_up_due), value = due, onChange = { due = it })
            OutlinedButton(
                onClick = {
                    due?.let { d -> onAdd(action, d) }
                    action = ""
                    due = null
                },
                enabled = action.isNotBlank() && due != null,
            ) { Text(stringResource(R.string.visit_follow_up_add)) }
        }
    }
}
