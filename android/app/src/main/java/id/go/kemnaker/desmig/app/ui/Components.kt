package id.go.kemnaker.desmig.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.RowScope
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.automirrored.filled.ArrowBack
import androidx.compose.material.icons.filled.ArrowDropDown
import androidx.compose.material.icons.filled.Call
import androidx.compose.material.icons.filled.DateRange
import androidx.compose.material.icons.filled.MoreVert
import androidx.compose.material.icons.filled.Refresh
import androidx.compose.material3.Card
import androidx.compose.material3.Checkbox
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.DatePicker
import androidx.compose.material3.DatePickerDialog
import androidx.compose.material3.DropdownMenu
import androidx.compose.material3.DropdownMenuItem
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.material3.rememberDatePickerState
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.style.TextOverflow
import androidx.compose.ui.unit.dp
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.core.FieldError
import id.go.kemnaker.desmig.core.VillageIndicators
import id.go.kemnaker.desmig.core.countries
import id.go.kemnaker.desmig.state.UiMessage
import id.go.kemnaker.desmig.state.formatRupiah

// Small building blocks shared by the screens: presentation only.

/** The app bar: back (when there is somewhere to go back to), sync, and a menu with sign-out. */
@Composable
fun DesmigTopBar(
    title: String,
    onBack: (() -> Unit)? = null,
    onSync: (() -> Unit)? = null,
    onSignOut: (() -> Unit)? = null,
    actions: @Composable RowScope.() -> Unit = {},
) {
    TopAppBar(
        title = { Text(title, maxLines = 1, overflow = TextOverflow.Ellipsis) },
        navigationIcon = {
            if (onBack != null) {
                IconButton(onClick = onBack) {
                    Icon(Icons.AutoMirrored.Filled.ArrowBack, contentDescription = stringResource(R.string.action_back))
                }
            }
        },
        actions = {
            actions()
            if (onSync != null) {
                IconButton(onClick = onSync) {
                    Icon(Icons.Filled.Refresh, contentDescription = stringResource(R.string.sync_title))
                }
            }
            if (onSignOut != null) {
                var open by remember { mutableStateOf(false) }
                Box {
                    IconButton(onClick = { open = true }) {
                        Icon(Icons.Filled.MoreVert, contentDescription = stringResource(R.string.action_more))
                    }
                    DropdownMenu(expanded = open, onDismissRequest = { open = false }) {
                        DropdownMenuItem(
                            text = { Text(stringResource(R.string.action_sign_out)) },
                            onClick = { open = false; onSignOut() },
                        )
                    }
                }
            }
        },
    )
}

/** Shown while a screen's holder is being built or first loaded. */
@Composable
fun LoadingBox(modifier: Modifier = Modifier) {
    Box(modifier.fillMaxSize(), contentAlignment = Alignment.Center) { CircularProgressIndicator() }
}

/** What went wrong and what to do, in a card that stands out. */
@Composable
fun ErrorBanner(message: UiMessage?, modifier: Modifier = Modifier) =
    MessageCard(message, MaterialTheme.colorScheme.errorContainer, MaterialTheme.colorScheme.onErrorContainer, modifier)

/** What an action did (not an error), in a quieter card. */
@Composable
fun NoticeBanner(message: UiMessage?, modifier: Modifier = Modifier) =
    MessageCard(message, MaterialTheme.colorScheme.secondaryContainer, MaterialTheme.colorScheme.onSecondaryContainer, modifier)

@Composable
private fun MessageCard(message: UiMessage?, container: Color, content: Color, modifier: Modifier) {
    if (message == null) return
    Card(modifier = modifier.fillMaxWidth(), colors = CardDefaults.cardColors(containerColor = container, contentColor = content)) {
        Text(message.text(), modifier = Modifier.padding(16.dp), style = MaterialTheme.typography.bodyMedium)
    }
}

@Composable
fun SectionTitle(text: String, modifier: Modifier = Modifier) {
    Text(
        text,
        modifier = modifier.padding(top = 16.dp, bottom = 8.dp),
        style = MaterialTheme.typography.titleMedium,
        color = MaterialTheme.colorScheme.primary,
    )
}

@Composable
fun LabeledValue(label: String, value: String, modifier: Modifier = Modifier) {
    Row(modifier.fillMaxWidth().padding(vertical = 2.dp)) {
        Text(label, modifier = Modifier.width(140.dp), style = MaterialTheme.typography.bodyMedium, color = MaterialTheme.colorScheme.onSurfaceVariant)
        Text(value, style = MaterialTheme.typography.bodyMedium)
    }
}

/** The `tel:` address of a phone number (`+62 812…` without its spaces), for the dialer. */
fun telUri(phone: String): String = "tel:" + phone.filter { it.isDigit() || it == '+' }

/** A work phone number to call: tapping it calls (the caller opens the dialer). */
@Composable
fun PhoneLine(phone: String, onCall: (phone: String) -> Unit, modifier: Modifier = Modifier) {
    val call = stringResource(R.string.facilitator_call, phone)
    Row(
        modifier.fillMaxWidth().clickable(onClickLabel = call) { onCall(phone) }.padding(vertical = 4.dp),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Icon(Icons.Filled.Call, contentDescription = call, tint = MaterialTheme.colorScheme.primary)
        Text(phone, modifier = Modifier.padding(start = 8.dp), style = MaterialTheme.typography.bodyLarge, color = MaterialTheme.colorScheme.primary)
    }
}

/** The core's problems with one field or answer, each on its own line, in the error colour. */
@Composable
fun ProblemLines(problems: List<FieldError>?, modifier: Modifier = Modifier) {
    if (problems.isNullOrEmpty()) return
    Column(modifier) {
        problems.forEach { p ->
            Text(p.text(), color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodySmall)
        }
    }
}

/** A village's indicators (as the core counts them) as a grid of small tiles. */
@Composable
fun IndicatorGrid(indicators: VillageIndicators, modifier: Modifier = Modifier) {
    val tiles = listOf(
        stringResource(R.string.indicator_beneficiaries) to indicators.beneficiaries.toString(),
        stringResource(R.string.indicator_trained) to indicators.trained.toString(),
        stringResource(R.string.indicator_prakerja_incentive) to indicators.prakerjaIncentiveReceived.toString(),
        stringResource(R.string.indicator_capital_disbursed) to indicators.capitalDisbursedCount.toString(),
        stringResource(R.string.indicator_capital_rupiah) to formatRupiah(indicators.capitalDisbursedRupiah),
        stringResource(R.string.indicator_running_businesses) to indicators.runningBusinesses.toString(),
        stringResource(R.string.indicator_visits_this_month) to indicators.visitsThisMonth.toString(),
        stringResource(R.string.indicator_selling_beyond_village) to indicators.businessesSellingBeyondVillage.toString(),
        stringResource(R.string.indicator_exporting) to indicators.businessesExporting.toString(),
        stringResource(R.string.indicator_sales_this_month) to formatRupiah(indicators.salesRevenueThisMonth),
    ) + indicators.capitalBySource.map { c ->
        // Capital that reached people, source by source: count and rupiah.
        stringResource(capitalSourceRes(c.source)) to "${c.count} · ${formatRupiah(c.rupiah)}"
    }
    FlowRow(modifier.fillMaxWidth(), horizontalArrangement = Arrangement.spacedBy(8.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        tiles.forEach { (label, value) ->
            Card(Modifier.width(156.dp)) {
                Column(Modifier.padding(12.dp)) {
                    Text(value, style = MaterialTheme.typography.titleLarge)
                    Text(label, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant)
                }
            }
        }
    }
}

/**
 * Picks one of [options] (an enum's values) in a menu; with [noneLabel], "none" (null) is a choice too.
 */
@Composable
fun <T> ChoiceField(
    label: String,
    options: List<T>,
    selected: T?,
    optionLabel: @Composable (T) -> String,
    onSelect: (T?) -> Unit,
    modifier: Modifier = Modifier,
    noneLabel: String? = null,
    problems: List<FieldError>? = null,
) {
    var open by remember { mutableStateOf(false) }
    Box(modifier.fillMaxWidth()) {
        OutlinedTextField(
            value = selected?.let { optionLabel(it) } ?: noneLabel.orEmpty(),
            onValueChange = {},
            readOnly = true,
            label = { Text(label) },
            trailingIcon = { Icon(Icons.Filled.ArrowDropDown, contentDescription = null) },
            isError = !problems.isNullOrEmpty(),
            supportingText = if (problems.isNullOrEmpty()) null else ({ ProblemLines(problems) }),
            modifier = Modifier.fillMaxWidth(),
        )
        // The read-only field does not take clicks itself: a transparent layer opens the menu.
        Box(Modifier.matchParentSize().clickable { open = true })
        DropdownMenu(expanded = open, onDismissRequest = { open = false }) {
            if (noneLabel != null) {
                DropdownMenuItem(text = { Text(noneLabel) }, onClick = { open = false; onSelect(null) })
            }
            options.forEach { option ->
                DropdownMenuItem(text = { Text(optionLabel(option)) }, onClick = { open = false; onSelect(option) })
            }
        }
    }
}

/**
 * A country picked from the core's list (the common destinations first), by its name in the
 * device language; the core gets its ISO code. With [noneLabel], "none" (null) is a choice too.
 */
@Composable
fun CountryField(
    label: String,
    code: String?,
    onSelect: (String?) -> Unit,
    modifier: Modifier = Modifier,
    noneLabel: String? = null,
    problems: List<FieldError>? = null,
) {
    val all = remember { countries() }
    ChoiceField(
        label = label,
        options = all,
        selected = code?.let { c -> all.firstOrNull { it.code.equals(c, ignoreCase = true) } },
        optionLabel = { it.name.localized() },
        onSelect = { onSelect(it?.code) },
        modifier = modifier,
        noneLabel = noneLabel,
        problems = problems,
    )
}

/** A `YYYY-MM-DD` date chosen with the Material date picker (null: none yet). */
@Composable
fun DateField(
    label: String,
    value: String?,
    onChange: (String?) -> Unit,
    modifier: Modifier = Modifier,
    problems: List<FieldError>? = null,
) {
    var picking by remember { mutableStateOf(false) }
    Box(modifier.fillMaxWidth()) {
        OutlinedTextField(
            value = value?.let { dateText(it) }.orEmpty(),
            onValueChange = {},
            readOnly = true,
            label = { Text(label) },
            placeholder = { Text(stringResource(R.string.action_pick_date)) },
            trailingIcon = { Icon(Icons.Filled.DateRange, contentDescription = stringResource(R.string.action_pick_date)) },
            isError = !problems.isNullOrEmpty(),
            supportingText = if (problems.isNullOrEmpty()) null else ({ ProblemLines(problems) }),
            modifier = Modifier.fillMaxWidth(),
        )
        Box(Modifier.matchParentSize().clickable { picking = true })
    }
    if (picking) {
        val pickerState = rememberDatePickerState(initialSelectedDateMillis = pickerMillisOfIsoDate(value))
        DatePickerDialog(
            onDismissRequest = { picking = false },
            confirmButton = {
                TextButton(onClick = {
                    picking = false
                    onChange(pickerState.selectedDateMillis?.let(::isoDateOfPickerMillis))
                }) { Text(stringResource(R.string.action_ok)) }
            },
            dismissButton = {
                Row {
                    if (value != null) {
                        TextButton(onClick = { picking = false; onChange(null) }) { Text(stringResource(R.string.action_clear)) }
                    }
                    TextButton(onClick = { picking = false }) { Text(stringResource(R.string.action_cancel)) }
                }
            },
        ) {
            DatePicker(state = pickerState)
        }
    }
}

/** A text field of a form, with the core's problems for it underneath. */
@Composable
fun FormTextField(
    label: String,
    value: String,
    onChange: (String) -> Unit,
    problems: List<FieldError>?,
    modifier: Modifier = Modifier,
    keyboardType: KeyboardType = KeyboardType.Text,
    singleLine: Boolean = true,
    hint: String? = null,
) {
    OutlinedTextField(
        value = value,
        onValueChange = onChange,
        label = { Text(label) },
        placeholder = if (hint == null) null else ({ Text(hint) }),
        isError = !problems.isNullOrEmpty(),
        supportingText = if (problems.isNullOrEmpty()) null else ({ ProblemLines(problems) }),
        singleLine = singleLine,
        minLines = if (singleLine) 1 else 2,
        keyboardOptions = KeyboardOptions(keyboardType = keyboardType),
        modifier = modifier.fillMaxWidth(),
    )
}

/** A yes/no of a form, as a checkbox with its label (the whole row toggles). */
@Composable
fun CheckField(label: String, checked: Boolean, onChange: (Boolean) -> Unit, modifier: Modifier = Modifier) {
    Row(modifier.fillMaxWidth().clickable { onChange(!checked) }, verticalAlignment = Alignment.CenterVertically) {
        Checkbox(checked = checked, onCheckedChange = onChange)
        Text(label, style = MaterialTheme.typography.bodyLarge)
    }
}

