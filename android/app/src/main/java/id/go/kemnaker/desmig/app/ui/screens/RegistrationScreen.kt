package id.go.kemnaker.desmig.app.ui.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.imePadding
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.SegmentedButton
import androidx.compose.material3.SegmentedButtonDefaults
import androidx.compose.material3.SingleChoiceSegmentedButtonRow
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.app.ui.ChoiceField
import id.go.kemnaker.desmig.app.ui.CountryField
import id.go.kemnaker.desmig.app.ui.DateField
import id.go.kemnaker.desmig.app.ui.DesmigTopBar
import id.go.kemnaker.desmig.app.ui.ErrorBanner
import id.go.kemnaker.desmig.app.ui.FormTextField
import id.go.kemnaker.desmig.app.ui.LoadingBox
import id.go.kemnaker.desmig.app.ui.ProblemLines
import id.go.kemnaker.desmig.app.ui.beneficiaryKindRes
import id.go.kemnaker.desmig.app.ui.consentMethodRes
import id.go.kemnaker.desmig.app.ui.fieldRes
import id.go.kemnaker.desmig.app.ui.jobSectorRes
import id.go.kemnaker.desmig.app.ui.observe
import id.go.kemnaker.desmig.app.ui.rememberActions
import id.go.kemnaker.desmig.app.ui.rememberHolder
import id.go.kemnaker.desmig.app.ui.savingsBandRes
import id.go.kemnaker.desmig.app.ui.sexRes
import id.go.kemnaker.desmig.app.ui.text
import id.go.kemnaker.desmig.core.Beneficiary
import id.go.kemnaker.desmig.core.BeneficiaryInput
import id.go.kemnaker.desmig.core.BeneficiaryKind
import id.go.kemnaker.desmig.core.ConsentMethod
import id.go.kemnaker.desmig.core.FieldError
import id.go.kemnaker.desmig.core.JobSector
import id.go.kemnaker.desmig.core.Region
import id.go.kemnaker.desmig.core.SavingsBand
import id.go.kemnaker.desmig.core.Sex
import id.go.kemnaker.desmig.state.AppSession
import id.go.kemnaker.desmig.state.RegistrationModel
import id.go.kemnaker.desmig.state.RegistrationState
import id.go.kemnaker.desmig.state.attempt

@Composable
fun RegistrationRoute(
    session: AppSession,
    villageCode: String?,
    editing: String?,
    familyOf: String?,
    onBack: () -> Unit,
    onSaved: (Beneficiary) -> Unit,
) {
    // Built once per visit of this screen (on a background thread): an edit starts from the stored
    // record, a family member from the worker it belongs to.
    val model = rememberHolder("registration") {
        RegistrationModel(session.store, villageCode.orEmpty(), editing).also { m ->
            when {
                editing != null -> attempt { session.store.beneficiaryFile(editing).beneficiary }.onSuccess { b -> m.edit { b.toInput() } }
                familyOf != null -> m.edit { it.copy(kind = BeneficiaryKind.FAMILY_MEMBER, familyOf = familyOf) }
            }
        }
    } ?: return LoadingBox()
    val state by model.observe()
    val actions = rememberActions()
    var villages by remember { mutableStateOf<List<Region>>(emptyList()) }
    LaunchedEffect(model) {
        actions.io({ attempt { session.store.villages() }.getOrDefault(emptyList()) }) { villages = it }
    }
    RegistrationScreen(
        state = state,
        villages = villages,
        editing = editing != null,
        // Edits only change the holder's in-memory input (the core checks on save): done at once.
        onEdit = { change -> model.edit(change) },
        onSave = {
            actions.io({ model.save() }) { ok -> if (ok) model.state.saved?.let(onSaved) }
        },
        onBack = onBack,
    )
}

/** The fields this form shows, by the core's field names: problems for any other field go on top. */
private val shownFields = setOf(
    "kind", "family_of", "full_name", "nik", "sex", "birth_date", "phone", "village_code", "address", "last_country",
    "job_sector_abroad", "years_abroad", "return_month", "savings_band", "skills", "networks", "dependants",
    "consent_method", "consent_given_at",
)

/** Registering (or editing) a beneficiary. The core validates on save; each problem shows by its field. */
@Composable
fun RegistrationScreen(
    state: RegistrationState,
    villages: List<Region>,
    editing: Boolean,
    onEdit: ((BeneficiaryInput) -> BeneficiaryInput) -> Unit,
    onSave: () -> Unit,
    onBack: () -> Unit,
) {
    val input = state.input
    val problems = state.problems
    Scaffold(
        topBar = {
            DesmigTopBar(
                title = stringResource(if (editing) R.string.registration_edit_title else R.string.registration_title),
                onBack = onBack,
            )
        },
    ) { padding ->
        Column(
            Modifier
                .fillMaxSize()
                .padding(padding)
                .imePadding()
                .verticalScroll(rememberScrollState())
                .padding(16.dp),
            verticalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            ErrorBanner(state.error)
            problems.filterKeys { it !in shownFields }.forEach { (field, list) ->
                val name = fieldRes(field)?.let { stringResource(it) } ?: field
                list.forEach { p -> Text("$name: ${p.text()}", color = MaterialTheme.colorScheme.error) }
            }

            Text(stringResource(R.string.field_kind), style = MaterialTheme.typography.labelLarge)
            Segmented(
                options = BeneficiaryKind.entries,
                selected = input.kind,
                label = { stringResource(beneficiaryKindRes(it)) },
                onSelect = { kind -> onEdit { it.copy(kind = kind) } },
            )
            ProblemLines(problems["kind"])
            problems["family_of"]?.let { familyProblems ->
                // A family member is linked to their worker: registered from the worker's file.
                familyProblems.forEach { p ->
                    Text("${stringResource(R.string.field_family_of)}: ${p.text()}", color = MaterialTheme.colorScheme.error)
                }
                Text(stringResource(R.string.registration_family_hint), style = MaterialTheme.typography.bodySmall)
            }

            FormTextField(stringResource(R.string.field_full_name), input.fullName, { v -> onEdit { it.copy(fullName = v) } }, problems["full_name"])
            FormTextField(
                stringResource(R.string.field_nik), input.nik.orEmpty(), { v -> onEdit { it.copy(nik = v.ifEmpty { null }) } }, problems["nik"],
                keyboardType = KeyboardType.Number, hint = stringResource(R.string.field_nik_hint),
            )

            Text(stringResource(R.string.field_sex), style = MaterialTheme.typography.labelLarge)
            Segmented(
                options = Sex.entries,
                selected = input.sex,
                label = { stringResource(sexRes(it)) },
                onSelect = { sex -> onEdit { it.copy(sex = sex) } },
            )
            ProblemLines(problems["sex"])

            DateField(stringResource(R.string.field_birth_date), input.birthDate, { d -> onEdit { it.copy(birthDate = d) } }, problems = problems["birth_date"])
            FormTextField(
                stringResource(R.string.field_phone), input.phone.orEmpty(), { v -> onEdit { it.copy(phone = v.ifEmpty { null }) } }, problems["phone"],
                keyboardType = KeyboardType.Phone,
            )
            ChoiceField(
                label = stringResource(R.string.field_village),
                options = villages,
                selected = villages.firstOrNull { it.code == input.villageCode },
                optionLabel = { it.name },
                onSelect = { region -> region?.let { r -> onEdit { it.copy(villageCode = r.code) } } },
                noneLabel = input.villageCode.takeIf { villages.none { v -> v.code == it } },
                problems = problems["village_code"],
            )
            FormTextField(
                stringResource(R.string.field_address), input.address.orEmpty(), { v -> onEdit { it.copy(address = v.ifEmpty { null }) } }, problems["address"],
                singleLine = false,
            )

            Text(stringResource(R.string.registration_migration), style = MaterialTheme.typography.titleSmall, color = MaterialTheme.colorScheme.primary)
            CountryField(
                label = stringResource(R.string.field_last_country),
                code = input.lastCountry,
                onSelect = { c -> onEdit { it.copy(lastCountry = c) } },
                noneLabel = stringResource(R.string.choice_none),
                problems = problems["last_country"],
            )
            ChoiceField(
                label = stringResource(R.string.field_job_sector_abroad),
                options = JobSector.entries,
                selected = input.jobSectorAbroad,
                optionLabel = { stringResource(jobSectorRes(it)) },
                onSelect = { s -> onEdit { it.copy(jobSectorAbroad = s) } },
                noneLabel = stringResource(R.string.choice_none),
                problems = problems["job_sector_abroad"],
            )
            FormTextField(
                stringResource(R.string.field_years_abroad), input.yearsAbroad?.toString().orEmpty(),
                { v -> wholeNumber(v)?.let { n -> onEdit { it.copy(yearsAbroad = n.value) } } }, problems["years_abroad"],
                keyboardType = KeyboardType.Number,
            )
            FormTextField(
                stringResource(R.string.field_return_month), input.returnMonth.orEmpty(), { v -> onEdit { it.copy(returnMonth = v.ifEmpty { null }) } },
                problems["return_month"], hint = stringResource(R.string.field_return_month_hint),
            )
            ChoiceField(
                label = stringResource(R.string.field_savings_band),
                options = SavingsBand.entries,
                selected = input.savingsBand,
                optionLabel = { stringResource(savingsBandRes(it)) },
                onSelect = { b -> onEdit { it.copy(savingsBand = b) } },
                noneLabel = stringResource(R.string.choice_none),
                problems = problems["savings_band"],
            )
            // Typed as one line; the list goes to the core as the user separates it with commas.
            var skillsText by rememberSaveable { mutableStateOf(input.skills.joinToString(", ")) }
            FormTextField(
                stringResource(R.string.field_skills), skillsText,
                { v ->
                    skillsText = v
                    onEdit { it.copy(skills = v.split(',').map(String::trim).filter(String::isNotEmpty)) }
                },
                problems["skills"], hint = stringResource(R.string.field_skills_hint),
            )
            FormTextField(
                stringResource(R.string.field_networks), input.networks.orEmpty(), { v -> onEdit { it.copy(networks = v.ifEmpty { null }) } },
                problems["networks"], singleLine = false,
            )
            FormTextField(
                stringResource(R.string.field_dependants), input.dependants.toString(),
                { v -> wholeNumber(v)?.let { n -> onEdit { it.copy(dependants = n.value ?: 0.toUByte()) } } }, problems["dependants"],
                keyboardType = KeyboardType.Number,
            )

            Text(stringResource(R.string.registration_consent), style = MaterialTheme.typography.titleSmall, color = MaterialTheme.colorScheme.primary)
            Text(stringResource(R.string.registration_consent_text), style = MaterialTheme.typography.bodyMedium)
            ChoiceField(
                label = stringResource(R.string.field_consent_method),
                options = ConsentMethod.entries,
                selected = input.consentMethod,
                optionLabel = { stringResource(consentMethodRes(it)) },
                onSelect = { m -> m?.let { method -> onEdit { it.copy(consentMethod = method) } } },
                problems = problems["consent_method"].orEmpty() + problems["consent_given_at"].orEmpty(),
            )

            Button(onClick = onSave, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.action_save)) }
        }
    }
}

/** A number typed into a small field: `value` null when the field is empty; null itself when it does not fit (keystroke ignored). */
private class Typed(val value: UByte?)

private fun wholeNumber(text: String): Typed? {
    val digits = text.filter(Char::isDigit)
    if (digits.isEmpty()) return Typed(null)
    return digits.toUByteOrNull()?.let(::Typed)
}

@Composable
private fun <T> Segmented(options: List<T>, selected: T, label: @Composable (T) -> String, onSelect: (T) -> Unit) {
    SingleChoiceSegmentedButtonRow(Modifier.fillMaxWidth()) {
        options.forEachIndexed { index, option ->
            SegmentedButton(
                selected = option == selected,
                onClick = { onSelect(option) },
                shape = SegmentedButtonDefaults.itemShape(index = index, count = options.size),
            ) { Text(label(option)) }
        }
    }
}

/** The stored record as the form's input (the same fields; the core keeps consent time and authorship). */
private fun Beneficiary.toInput() = BeneficiaryInput(
    kind = kind, familyOf = familyOf, nik = nik, fullName = fullName, sex = sex, birthDate = birthDate, phone = phone,
    villageCode = villageCode, address = address, lastCountry = lastCountry, jobSectorAbroad = jobSectorAbroad,
    yearsAbroad = yearsAbroad, returnMonth = returnMonth, savingsBand = savingsBand, skills = skills, networks = networks,
    dependants = dependants, consentMethod = consentMethod,
)
