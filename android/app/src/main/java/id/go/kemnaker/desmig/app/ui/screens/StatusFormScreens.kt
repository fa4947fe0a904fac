package id.go.kemnaker.desmig.app.ui.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ColumnScope
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.imePadding
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Scaffold
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
import id.go.kemnaker.desmig.app.ui.CheckField
import id.go.kemnaker.desmig.app.ui.ChoiceField
import id.go.kemnaker.desmig.app.ui.CountryField
import id.go.kemnaker.desmig.app.ui.DateField
import id.go.kemnaker.desmig.app.ui.DesmigTopBar
import id.go.kemnaker.desmig.app.ui.ErrorBanner
import id.go.kemnaker.desmig.app.ui.FormTextField
import id.go.kemnaker.desmig.app.ui.LoadingBox
import id.go.kemnaker.desmig.app.ui.ProblemLines
import id.go.kemnaker.desmig.app.ui.bankRes
import id.go.kemnaker.desmig.app.ui.businessSectorRes
import id.go.kemnaker.desmig.app.ui.businessStatusRes
import id.go.kemnaker.desmig.app.ui.capitalSourceRes
import id.go.kemnaker.desmig.app.ui.fieldRes
import id.go.kemnaker.desmig.app.ui.kurSchemeRes
import id.go.kemnaker.desmig.app.ui.observe
import id.go.kemnaker.desmig.app.ui.rememberActions
import id.go.kemnaker.desmig.app.ui.rememberHolder
import id.go.kemnaker.desmig.app.ui.saleMarketRes
import id.go.kemnaker.desmig.app.ui.salesChannelRes
import id.go.kemnaker.desmig.app.ui.text
import id.go.kemnaker.desmig.app.ui.todayIso
import id.go.kemnaker.desmig.app.ui.trainingKindRes
import id.go.kemnaker.desmig.app.ui.trainingModeRes
import id.go.kemnaker.desmig.app.ui.trainingStatusRes
import id.go.kemnaker.desmig.core.Bank
import id.go.kemnaker.desmig.core.Business
import id.go.kemnaker.desmig.core.BusinessSector
import id.go.kemnaker.desmig.core.BusinessStatus
import id.go.kemnaker.desmig.core.CapitalApplication
import id.go.kemnaker.desmig.core.CapitalSource
import id.go.kemnaker.desmig.core.FieldError
import id.go.kemnaker.desmig.core.KurScheme
import id.go.kemnaker.desmig.core.ProductSale
import id.go.kemnaker.desmig.core.SaleMarket
import id.go.kemnaker.desmig.core.SalesChannel
import id.go.kemnaker.desmig.core.Training
import id.go.kemnaker.desmig.core.TrainingKind
import id.go.kemnaker.desmig.core.TrainingMode
import id.go.kemnaker.desmig.core.TrainingStatus
import id.go.kemnaker.desmig.state.AppSession
import id.go.kemnaker.desmig.state.BusinessFormModel
import id.go.kemnaker.desmig.state.CapitalFormModel
import id.go.kemnaker.desmig.state.FieldProblems
import id.go.kemnaker.desmig.state.RecordFormState
import id.go.kemnaker.desmig.state.SaleFormModel
import id.go.kemnaker.desmig.state.TrainingFormModel
import id.go.kemnaker.desmig.state.UiMessage
import id.go.kemnaker.desmig.state.asksBankAndScheme
import id.go.kemnaker.desmig.state.asksExportCountry
import id.go.kemnaker.desmig.state.attempt
import id.go.kemnaker.desmig.state.isLoan
import id.go.kemnaker.desmig.state.parseQuantity
import id.go.kemnaker.desmig.state.parseWholeNumber

// The forms that add to a beneficiary's programme: a training, a capital application, a
// business, and a sale of a business; the training and business forms also edit one the file
// already has (everything but its status, which moves on its card). The core validates on save; each problem shows under the
// field it names. After a save the screen goes back to the file, which reads its cards again.

/** A new training ([trainingId] null), or the file's training [trainingId] to edit (built reading the file, off the main thread). */
@Composable
fun TrainingFormRoute(session: AppSession, beneficiaryId: String, trainingId: String? = null, onBack: () -> Unit, onSaved: () -> Unit) {
    val model = rememberHolder("training:$beneficiaryId:${trainingId.orEmpty()}") {
        if (trainingId == null) TrainingFormModel(session.store, beneficiaryId) else TrainingFormModel(session.store, beneficiaryId, trainingId)
    } ?: return LoadingBox()
    val state by model.observe()
    val actions = rememberActions()
    // Edits only change the holder's input; the save is a core write, off the main thread.
    TrainingFormScreen(state, onEdit = model::edit, onSave = { actions.io({ model.save() }) { ok -> if (ok) onSaved() } }, onBack = onBack)
}

@Composable
fun CapitalFormRoute(session: AppSession, beneficiaryId: String, source: CapitalSource, onBack: () -> Unit, onSaved: () -> Unit) {
    val model = rememberHolder("capital:$beneficiaryId") { CapitalFormModel(session.store, beneficiaryId, source) } ?: return LoadingBox()
    val state by model.observe()
    val actions = rememberActions()
    // The person's businesses, to say which one the capital is for.
    var businesses by remember { mutableStateOf<List<Business>>(emptyList()) }
    LaunchedEffect(model) {
        actions.io({ attempt { session.store.beneficiaryFile(beneficiaryId).businesses }.getOrDefault(emptyList()) }) { businesses = it }
    }
    CapitalFormScreen(
        state, businesses, onEdit = model::edit, onSource = model::selectSource,
        onSave = { actions.io({ model.save() }) { ok -> if (ok) onSaved() } }, onBack = onBack,
    )
}

/** A new business ([businessId] null), or the file's business [businessId] to edit (built reading the file, off the main thread). */
@Composable
fun BusinessFormRoute(session: AppSession, beneficiaryId: String, businessId: String? = null, onBack: () -> Unit, onSaved: () -> Unit) {
    val model = rememberHolder("business:$beneficiaryId:${businessId.orEmpty()}") {
        if (businessId == null) BusinessFormModel(session.store, beneficiaryId) else BusinessFormModel(session.store, beneficiaryId, businessId)
    } ?: return LoadingBox()
    val state by model.observe()
    val actions = rememberActions()
    BusinessFormScreen(
        state, onEdit = model::edit, onChannel = model::toggleChannel,
        onSave = { actions.io({ model.save() }) { ok -> if (ok) onSaved() } }, onBack = onBack,
    )
}

@Composable
fun SaleFormRoute(session: AppSession, beneficiaryId: String, businessId: String, onBack: () -> Unit, onSaved: () -> Unit) {
    // Built on a background thread: the business's first product is the sale's until changed.
    val model = rememberHolder("sale:$businessId") {
        val business = attempt { session.store.beneficiaryFile(beneficiaryId).businesses.firstOrNull { it.id == businessId } }.getOrNull()
        SaleFormModel(session.store, beneficiaryId, businessId, todayIso(), business?.products?.firstOrNull().orEmpty())
    } ?: return LoadingBox()
    val state by model.observe()
    val actions = rememberActions()
    SaleFormScreen(
        state, onEdit = model::edit, onMarket = model::selectMarket,
        onSave = { actions.io({ model.save() }) { ok -> if (ok) onSaved() } }, onBack = onBack,
    )
}

/** A form's frame: the title, the core's message, problems with fields not shown, the fields and Save. */
@Composable
private fun FormFrame(
    title: String,
    error: UiMessage?,
    problems: FieldProblems,
    shownFields: Set<String>,
    onSave: () -> Unit,
    onBack: () -> Unit,
    content: @Composable ColumnScope.() -> Unit,
) {
    Scaffold(topBar = { DesmigTopBar(title = title, onBack = onBack) }) { padding ->
        Column(
            Modifier
                .fillMaxSize()
                .padding(padding)
                .imePadding()
                .verticalScroll(rememberScrollState())
                .padding(16.dp),
            verticalArrangement = Arrangement.spacedBy(12.dp),
        ) {
            ErrorBanner(error)
            problems.filterKeys { it !in shownFields }.forEach { (field, list) ->
                val name = fieldRes(field)?.let { stringResource(it) } ?: field
                list.forEach { p -> Text("$name: ${p.text()}", color = MaterialTheme.colorScheme.error) }
            }
            content()
            Button(onClick = onSave, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.action_save)) }
        }
    }
}

/** Rupiah typed as digits (dots ignored); empty for none. */
@Composable
private fun RupiahField(label: String, amount: Long?, onChange: (Long?) -> Unit, problems: List<FieldError>?) {
    FormTextField(
        label, amount?.toString().orEmpty(), { v -> onChange(parseWholeNumber(v)) }, problems,
        keyboardType = KeyboardType.Number,
    )
}

@Composable
fun TrainingFormScreen(
    state: RecordFormState<Training>,
    onEdit: ((Training) -> Training) -> Unit,
    onSave: () -> Unit,
    onBack: () -> Unit,
) {
    val t = state.input
    val p = state.problems
    // Problems with fields not shown (the status, when editing) show at the top.
    val shown = setOf("title", "provider", "kind", "mode", "start_date", "end_date", "certificate_no") + if (state.editing) emptySet() else setOf("status")
    val title = stringResource(if (state.editing) R.string.training_edit_title else R.string.training_form_title)
    FormFrame(title, state.error, p, shown, onSave, onBack) {
        FormTextField(stringResource(R.string.field_training_title), t.title, { v -> onEdit { it.copy(title = v) } }, p["title"])
        FormTextField(stringResource(R.string.field_provider), t.provider, { v -> onEdit { it.copy(provider = v) } }, p["provider"])
        ChoiceField(
            label = stringResource(R.string.field_training_kind), options = TrainingKind.entries, selected = t.kind,
            optionLabel = { stringResource(trainingKindRes(it)) }, onSelect = { k -> k?.let { kind -> onEdit { it.copy(kind = kind) } } }, problems = p["kind"],
        )
        ChoiceField(
            label = stringResource(R.string.field_training_mode), options = TrainingMode.entries, selected = t.mode,
            optionLabel = { stringResource(trainingModeRes(it)) }, onSelect = { m -> m?.let { mode -> onEdit { it.copy(mode = mode) } } }, problems = p["mode"],
        )
        CheckField(stringResource(R.string.field_via_prakerja), t.viaPrakerja, { v -> onEdit { it.copy(viaPrakerja = v) } })
        DateField(stringResource(R.string.field_start_date), t.startDate, { d -> onEdit { it.copy(startDate = d) } }, problems = p["start_date"])
        DateField(stringResource(R.string.field_end_date), t.endDate, { d -> onEdit { it.copy(endDate = d) } }, problems = p["end_date"])
        // A new training already under way or finished is recorded as it stands; later steps (and
        // every step of one being edited) are moves on its card.
        if (!state.editing) {
            ChoiceField(
                label = stringResource(R.string.field_stage), options = TrainingStatus.entries, selected = t.status,
                optionLabel = { stringResource(trainingStatusRes(it)) },
                onSelect = { s -> s?.let { status -> onEdit { it.copy(status = status, certificateNo = if (status == TrainingStatus.COMPLETED) it.certificateNo else null) } } },
                problems = p["status"],
            )
        }
        if (t.status == TrainingStatus.COMPLETED) {
            FormTextField(
                stringResource(R.string.field_certificate_no), t.certificateNo.orEmpty(), { v -> onEdit { it.copy(certificateNo = v.ifEmpty { null }) } },
                p["certificate_no"],
            )
        }
    }
}

@Composable
fun CapitalFormScreen(
    state: RecordFormState<CapitalApplication>,
    businesses: List<Business>,
    onEdit: ((CapitalApplication) -> CapitalApplication) -> Unit,
    onSource: (CapitalSource) -> Unit,
    onSave: () -> Unit,
    onBack: () -> Unit,
) {
    val c = state.input
    val p = state.problems
    val shown = setOf("source", "amount_requested", "purpose", "business_id", "bank", "kur_scheme")
    FormFrame(stringResource(R.string.capital_form_title), state.error, p, shown, onSave, onBack) {
        ChoiceField(
            label = stringResource(R.string.field_capital_source), options = CapitalSource.entries, selected = c.source,
            optionLabel = { stringResource(capitalSourceRes(it)) }, onSelect = { s -> s?.let(onSource) }, problems = p["source"],
        )
        // Loan or grant, as the core says: a loan is repaid, a grant used and reported.
        Text(
            stringResource(if (state.isLoan) R.string.capital_form_loan else R.string.capital_form_grant),
            style = MaterialTheme.typography.bodySmall,
            color = MaterialTheme.colorScheme.onSurfaceVariant,
        )
        if (state.asksBankAndScheme) {
            ChoiceField(
                label = stringResource(R.string.field_bank), options = Bank.entries, selected = c.bank,
                optionLabel = { stringResource(bankRes(it)) }, onSelect = { b -> onEdit { it.copy(bank = b) } }, problems = p["bank"],
            )
            ChoiceField(
                label = stringResource(R.string.field_kur_scheme), options = KurScheme.entries, selected = c.kurScheme,
                optionLabel = { stringResource(kurSchemeRes(it)) }, onSelect = { s -> onEdit { it.copy(kurScheme = s) } }, problems = p["kur_scheme"],
            )
        }
        RupiahField(stringResource(R.string.field_amount_requested), c.amountRequested.takeIf { it > 0 }, { a -> onEdit { it.copy(amountRequested = a ?: 0) } }, p["amount_requested"])
        FormTextField(
            stringResource(R.string.field_purpose), c.purpose.orEmpty(), { v -> onEdit { it.copy(purpose = v.ifEmpty { null }) } }, p["purpose"],
            singleLine = false,
        )
        if (businesses.isNotEmpty()) {
            ChoiceField(
                label = stringResource(R.string.field_business), options = businesses, selected = businesses.firstOrNull { it.id == c.businessId },
                optionLabel = { it.name }, onSelect = { b -> onEdit { it.copy(businessId = b?.id) } },
                noneLabel = stringResource(R.string.choice_none), problems = p["business_id"],
            )
        }
    }
}

@Composable
fun BusinessFormScreen(
    state: RecordFormState<Business>,
    onEdit: ((Business) -> Business) -> Unit,
    onChannel: (SalesChannel, Boolean) -> Unit,
    onSave: () -> Unit,
    onBack: () -> Unit,
) {
    val b = state.input
    val p = state.problems
    val shown = setOf("name", "sector", "started_on", "monthly_revenue", "workers", "products", "sales_channels") + if (state.editing) emptySet() else setOf("status")
    val title = stringResource(if (state.editing) R.string.business_edit_title else R.string.business_form_title)
    FormFrame(title, state.error, p, shown, onSave, onBack) {
        FormTextField(stringResource(R.string.field_business_name), b.name, { v -> onEdit { it.copy(name = v) } }, p["name"])
        ChoiceField(
            label = stringResource(R.string.field_business_sector), options = BusinessSector.entries, selected = b.sector,
            optionLabel = { stringResource(businessSectorRes(it)) }, onSelect = { s -> s?.let { sector -> onEdit { it.copy(sector = sector) } } }, problems = p["sector"],
        )
        // A new business starts where it stands; a stored one's status moves on its card.
        if (!state.editing) {
            ChoiceField(
                label = stringResource(R.string.field_stage), options = BusinessStatus.entries, selected = b.status,
                optionLabel = { stringResource(businessStatusRes(it)) }, onSelect = { s -> s?.let { status -> onEdit { it.copy(status = status) } } }, problems = p["status"],
            )
        }
        DateField(stringResource(R.string.field_started_on), b.startedOn, { d -> onEdit { it.copy(startedOn = d) } }, problems = p["started_on"])
        RupiahField(stringResource(R.string.field_monthly_revenue), b.monthlyRevenue, { a -> onEdit { it.copy(monthlyRevenue = a) } }, p["monthly_revenue"])
        FormTextField(
            stringResource(R.string.field_workers), b.workers.takeIf { it > 0u }?.toString().orEmpty(),
            { v -> onEdit { it.copy(workers = (parseWholeNumber(v) ?: 0L).coerceAtMost(UInt.MAX_VALUE.toLong()).toUInt()) } }, p["workers"],
            keyboardType = KeyboardType.Number,
        )
        var productsText by rememberSaveable { mutableStateOf(b.products.joinToString(", ")) }
        FormTextField(
            stringResource(R.string.field_products), productsText,
            { v ->
                productsText = v
                onEdit { it.copy(products = v.split(',').map(String::trim).filter(String::isNotEmpty)) }
            },
            p["products"], hint = stringResource(R.string.field_products_hint),
        )
        Text(stringResource(R.string.field_sales_channels), style = MaterialTheme.typography.labelLarge)
        FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            SalesChannel.entries.forEach { channel ->
                val on = channel in b.salesChannels
                FilterChip(selected = on, onClick = { onChannel(channel, !on) }, label = { Text(stringResource(salesChannelRes(channel))) })
            }
        }
        ProblemLines(p["sales_channels"])
        CheckField(stringResource(R.string.field_export_ready), b.exportReady, { v -> onEdit { it.copy(exportReady = v) } })
    }
}

@Composable
fun SaleFormScreen(
    state: RecordFormState<ProductSale>,
    onEdit: ((ProductSale) -> ProductSale) -> Unit,
    onMarket: (SaleMarket) -> Unit,
    onSave: () -> Unit,
    onBack: () -> Unit,
) {
    val s = state.input
    val p = state.problems
    val shown = setOf("sold_on", "product", "quantity", "unit", "market", "export_country", "buyer", "revenue")
    FormFrame(stringResource(R.string.sale_form_title), state.error, p, shown, onSave, onBack) {
        DateField(stringResource(R.string.field_sold_on), s.soldOn, { d -> onEdit { it.copy(soldOn = d.orEmpty()) } }, problems = p["sold_on"])
        FormTextField(stringResource(R.string.field_product), s.product, { v -> onEdit { it.copy(product = v) } }, p["product"])
        // Typed as text (`1,5`); the core gets the number, or 0 (which it refuses) when it is none.
        var quantityText by rememberSaveable { mutableStateOf(quantityText(s.quantity)) }
        FormTextField(
            stringResource(R.string.field_quantity), quantityText,
            { v ->
                quantityText = v
                onEdit { it.copy(quantity = parseQuantity(v) ?: 0.0) }
            },
            p["quantity"], keyboardType = KeyboardType.Decimal,
        )
        FormTextField(stringResource(R.string.field_unit), s.unit, { v -> onEdit { it.copy(unit = v) } }, p["unit"], hint = stringResource(R.string.field_unit_hint))
        ChoiceField(
            label = stringResource(R.string.field_market), options = SaleMarket.entries, selected = s.market,
            optionLabel = { stringResource(saleMarketRes(it)) }, onSelect = { m -> m?.let(onMarket) }, problems = p["market"],
        )
        if (state.asksExportCountry) {
            CountryField(
                label = stringResource(R.string.field_export_country),
                code = s.exportCountry,
                onSelect = { c -> onEdit { it.copy(exportCountry = c) } },
                problems = p["export_country"],
            )
        }
        FormTextField(stringResource(R.string.field_buyer), s.buyer.orEmpty(), { v -> onEdit { it.copy(buyer = v.ifEmpty { null }) } }, p["buyer"])
        RupiahField(stringResource(R.string.field_revenue), s.revenue.takeIf { it > 0 }, { a -> onEdit { it.copy(revenue = a ?: 0) } }, p["revenue"])
    }
}

/** A quantity as the user would type it: `50`, `1.5`; empty for none yet. */
private fun quantityText(q: Double): String = when {
    q <= 0.0 -> ""
    q % 1.0 == 0.0 && q < 1e15 -> q.toLong().toString()
    else -> q.toString()
}
