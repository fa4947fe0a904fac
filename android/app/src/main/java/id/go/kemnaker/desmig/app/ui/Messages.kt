package id.go.kemnaker.desmig.app.ui

import android.content.res.Resources
import androidx.annotation.StringRes
import androidx.compose.runtime.Composable
import androidx.compose.runtime.ReadOnlyComposable
import androidx.compose.ui.platform.LocalConfiguration
import androidx.compose.ui.res.stringResource
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.core.Bank
import id.go.kemnaker.desmig.core.BundleKind
import id.go.kemnaker.desmig.core.BeneficiaryKind
import id.go.kemnaker.desmig.core.BusinessSector
import id.go.kemnaker.desmig.core.BusinessStatus
import id.go.kemnaker.desmig.core.CapitalSource
import id.go.kemnaker.desmig.core.CapitalStage
import id.go.kemnaker.desmig.core.CardLine
import id.go.kemnaker.desmig.core.ConsentMethod
import id.go.kemnaker.desmig.core.FieldError
import id.go.kemnaker.desmig.core.JobSector
import id.go.kemnaker.desmig.core.KurScheme
import id.go.kemnaker.desmig.core.PrakerjaStage
import id.go.kemnaker.desmig.core.Role
import id.go.kemnaker.desmig.core.SaleMarket
import id.go.kemnaker.desmig.core.SalesChannel
import id.go.kemnaker.desmig.core.SavingsBand
import id.go.kemnaker.desmig.core.Sex
import id.go.kemnaker.desmig.core.SyncPhase
import id.go.kemnaker.desmig.core.TrainingKind
import id.go.kemnaker.desmig.core.TrainingMode
import id.go.kemnaker.desmig.core.TrainingStatus
import id.go.kemnaker.desmig.core.VisitStatus
import id.go.kemnaker.desmig.core.BundleGroup
import id.go.kemnaker.desmig.state.UiMessage
import id.go.kemnaker.desmig.state.Words
import id.go.kemnaker.desmig.state.countryText
import id.go.kemnaker.desmig.state.formatRupiah
import id.go.kemnaker.desmig.state.isoDateText
import id.go.kemnaker.desmig.state.isoMonthText
import id.go.kemnaker.desmig.state.pick
import id.go.kemnaker.desmig.core.Text as CoreText

// What the core and the state holders say, in the user's language: UiMessage keys, status keys
// and enum values map to string resources (res/values: Bahasa Indonesia, the default;
// res/values-en: English). Only words live here, never a rule.

/** The string of a [UiMessage] key or a status-card key; null for a key this app does not know. */
@StringRes
fun messageRes(key: String): Int? = when (key) {
    "error_conflict" -> R.string.error_conflict
    "error_consent_withdrawn" -> R.string.error_consent_withdrawn
    "error_device_revoked" -> R.string.error_device_revoked
    "error_login_required" -> R.string.error_login_required
    "error_network" -> R.string.error_network
    "error_not_allowed" -> R.string.error_not_allowed
    "error_not_found" -> R.string.error_not_found
    "error_storage" -> R.string.error_storage
    "error_store_locked" -> R.string.error_store_locked
    "error_unexpected" -> R.string.error_unexpected
    "error_validation" -> R.string.error_validation
    "login_missing_fields" -> R.string.login_missing_fields
    "login_wrong_credentials" -> R.string.login_wrong_credentials
    "sync_cancelled" -> R.string.sync_cancelled
    // The core's typed codes (state/Words.kt codeMessage): one sentence per case, shared where they mean the same.
    "code_account_disabled" -> R.string.code_account_disabled
    "code_login_throttled" -> R.string.code_login_throttled
    "code_invalid" -> R.string.code_invalid
    "code_not_found" -> R.string.code_not_found
    "code_out_of_scope" -> R.string.code_out_of_scope
    "code_read_only" -> R.string.code_read_only
    "code_not_supervisor" -> R.string.code_not_supervisor
    "code_wrong_author" -> R.string.code_wrong_author
    "code_self_verification" -> R.string.code_self_verification
    "code_erased" -> R.string.code_erased
    "code_state_conflict" -> R.string.code_state_conflict
    "code_stale_clock" -> R.string.code_stale_clock
    "code_clock_invalid" -> R.string.code_clock_invalid
    "code_resolution_outdated" -> R.string.code_resolution_outdated
    "code_invalid_operation" -> R.string.code_invalid_operation
    "code_update_app" -> R.string.code_update_app
    "code_payload_too_large" -> R.string.code_payload_too_large
    "code_try_later" -> R.string.code_try_later
    "code_no_server_keys" -> R.string.code_no_server_keys
    "code_bundle_malformed" -> R.string.code_bundle_malformed
    "code_bundle_damaged" -> R.string.code_bundle_damaged
    "code_bundle_bad_signature" -> R.string.code_bundle_bad_signature
    "code_bundle_wrong_server" -> R.string.code_bundle_wrong_server
    "code_bundle_own" -> R.string.code_bundle_own
    "code_bundle_stale" -> R.string.code_bundle_stale
    "code_other" -> R.string.code_other
    // What exporting or importing a bundle file did (state/BundlesModel.kt, Words.kt outcomeMessage).
    "bundle_exported" -> R.string.bundle_exported
    "bundle_exported_empty" -> R.string.bundle_exported_empty
    "bundle_imported_to_deliver" -> R.string.bundle_imported_to_deliver
    "bundle_imported_to_hand_on" -> R.string.bundle_imported_to_hand_on
    "bundle_imported_acknowledged" -> R.string.bundle_imported_acknowledged
    "bundle_imported_applied" -> R.string.bundle_imported_applied
    "bundle_imported_already_had" -> R.string.bundle_imported_already_had
    "bundle_unreadable" -> R.string.bundle_unreadable
    // The kinds of records (a conflict's, a refused change's), by the core's entity names.
    "entity_beneficiary" -> R.string.entity_beneficiary
    "entity_prakerja" -> R.string.entity_prakerja
    "entity_training" -> R.string.entity_training
    "entity_capital_application" -> R.string.entity_capital_application
    "entity_business" -> R.string.entity_business
    "entity_product_sale" -> R.string.entity_product_sale
    "entity_follow_up" -> R.string.entity_follow_up
    "entity_visit" -> R.string.entity_visit
    "entity_stage_change" -> R.string.entity_stage_change
    // Stored values as the core shows them (a conflict's values): empty, yes and no.
    "value_empty" -> R.string.value_empty
    "answer_yes" -> R.string.answer_yes
    "answer_no" -> R.string.answer_no
    // Status cards: the core's keys (core/src/present.rs) for titles, stages, warnings, sources, markets.
    "card_prakerja" -> R.string.card_prakerja
    "card_trainings" -> R.string.card_trainings
    "card_training" -> R.string.card_training
    "card_capital" -> R.string.card_capital
    "card_business" -> R.string.card_business
    "prakerja_none" -> R.string.prakerja_none
    "trainings_none" -> R.string.trainings_none
    "trainings_count" -> R.string.trainings_count
    "prakerja_deadline_soon" -> R.string.prakerja_deadline_soon
    "prakerja_deadline_passed" -> R.string.prakerja_deadline_passed
    else -> PrakerjaStage.entries.firstOrNull { key == "prakerja_" + it.name.lowercase() }?.let(::prakerjaStageRes)
        ?: CapitalStage.entries.firstOrNull { key == "capital_" + it.name.lowercase() }?.let(::capitalStageRes)
        ?: BusinessStatus.entries.firstOrNull { key == "business_" + it.name.lowercase() }?.let(::businessStatusRes)
        ?: TrainingStatus.entries.firstOrNull { key == "training_" + it.name.lowercase() }?.let(::trainingStatusRes)
        ?: CapitalSource.entries.firstOrNull { key == "source_" + it.name.lowercase() }?.let(::capitalSourceRes)
        ?: SaleMarket.entries.firstOrNull { key == "market_" + it.name.lowercase() }?.let(::saleMarketRes)
        ?: valueKeyRes(key)
        ?: fieldKeyRes(key)
}

/**
 * The key of a stored enum value as the core names it in a conflict (`core/src/labels.rs`:
 * `bank_bri`, `kur_scheme_mikro`, `sex_female`, `savings_under_10m`, `visit_completed`); the
 * stages, sources and markets are matched above.
 */
@StringRes
private fun valueKeyRes(key: String): Int? = when (key) {
    // The savings bands are spelled by the core as stored (`under_10m`), not as the Kotlin enum.
    "savings_none" -> savingsBandRes(SavingsBand.NONE)
    "savings_under_10m" -> savingsBandRes(SavingsBand.UNDER10_MILLION)
    "savings_10m_to_50m" -> savingsBandRes(SavingsBand.FROM10_TO50_MILLION)
    "savings_50m_to_100m" -> savingsBandRes(SavingsBand.FROM50_TO100_MILLION)
    "savings_over_100m" -> savingsBandRes(SavingsBand.OVER100_MILLION)
    else -> null
} ?: Bank.entries.firstOrNull { key == "bank_" + it.name.lowercase() }?.let(::bankRes)
    ?: KurScheme.entries.firstOrNull { key == "kur_scheme_" + it.name.lowercase() }?.let(::kurSchemeRes)
    ?: BusinessSector.entries.firstOrNull { key == "business_sector_" + it.name.lowercase() }?.let(::businessSectorRes)
    ?: TrainingKind.entries.firstOrNull { key == "training_kind_" + it.name.lowercase() }?.let(::trainingKindRes)
    ?: TrainingMode.entries.firstOrNull { key == "training_mode_" + it.name.lowercase() }?.let(::trainingModeRes)
    ?: VisitStatus.entries.firstOrNull { key == "visit_" + it.name.lowercase() }?.let(::visitStatusRes)
    ?: Sex.entries.firstOrNull { key == "sex_" + it.name.lowercase() }?.let(::sexRes)
    ?: BeneficiaryKind.entries.firstOrNull { key == "kind_" + it.name.lowercase() }?.let(::beneficiaryKindRes)
    ?: JobSector.entries.firstOrNull { key == "job_sector_" + it.name.lowercase() }?.let(::jobSectorRes)
    ?: ConsentMethod.entries.firstOrNull { key == "consent_" + it.name.lowercase() }?.let(::consentMethodRes)

/**
 * A field's label key as the core names it (`field_amount_disbursed`: `core/src/labels.rs`
 * `field_key`), for the fields of the records; null for a field this app has no words for.
 */
@StringRes
fun fieldKeyRes(key: String): Int? = when (key) {
    // Where a record's field reads otherwise than the same name in a form's problem.
    "field_incentive_received" -> R.string.field_incentive_received
    "field_incentive_instalments" -> R.string.field_incentive_instalments
    "field_purchase_deadline" -> R.string.field_purchase_deadline
    "field_via_prakerja" -> R.string.field_via_prakerja
    "field_export_ready" -> R.string.field_export_ready
    "field_sales_channels" -> R.string.field_sales_channels
    "field_action" -> R.string.visit_follow_up_action
    "field_due_date" -> R.string.visit_follow_up_due
    "field_done_on" -> R.string.field_done_on
    "field_consent_withdrawn_at" -> R.string.field_consent_withdrawn_at
    else -> if (key.startsWith("field_")) fieldRes(key.removePrefix("field_")) else null
}

/** A conflict's field label: its key in words (a training's `kind` is the training's); null when the app has none. */
@StringRes
fun conflictFieldRes(entity: String, fieldKey: String): Int? =
    if (entity == "training" && fieldKey == "field_kind") R.string.field_training_kind else fieldKeyRes(fieldKey)

/** A key of the core's status cards in words; the key itself when this app does not know it (a newer core). */
@Composable
@ReadOnlyComposable
fun keyText(key: String): String = messageRes(key)?.let { stringResource(it) } ?: key

/** A kind of record as the core names it (`capital_application`), in words; the name itself when the app has none. */
@Composable
@ReadOnlyComposable
fun entityText(entity: String): String = messageRes("entity_$entity")?.let { stringResource(it) } ?: entity

/** The words of a message, outside composition (e.g. for a notification). */
fun UiMessage.text(resources: Resources): String {
    val id = messageRes(key) ?: return resources.getString(R.string.error_unexpected, key)
    return if (args.isEmpty()) resources.getString(id) else resources.getString(id, *args.toTypedArray())
}

/** The words of a message, in composition. */
@Composable
@ReadOnlyComposable
fun UiMessage.text(): String {
    val id = messageRes(key) ?: return stringResource(R.string.error_unexpected, key)
    return if (args.isEmpty()) stringResource(id) else stringResource(id, *args.toTypedArray())
}

/** A problem the core found with a field or checklist answer, in words; the core's own text otherwise. */
@Composable
@ReadOnlyComposable
fun FieldError.text(): String = problemRes(code)?.let { stringResource(it) } ?: message

/** True when the device speaks English: checklists carry Indonesian (`id`) and English (`en`) text. */
@Composable
@ReadOnlyComposable
fun isEnglish(): Boolean = LocalConfiguration.current.locales[0].language == "en"

/** A core text (a checklist's label, help, title, option; a country, a month, a date) in the device language: Indonesian unless English. */
@Composable
@ReadOnlyComposable
fun CoreText.localized(): String = pick(isEnglish())

/** A `YYYY-MM-DD` date as the core writes it for a person (`2 Desember 2026`), in the device language. */
@Composable
@ReadOnlyComposable
fun dateText(iso: String): String = isoDateText(iso, isEnglish())

/** A `YYYY-MM` month as a heading reads (`Desember 2026`), in the device language. */
@Composable
@ReadOnlyComposable
fun monthText(month: String): String = isoMonthText(month, isEnglish())

/** A country's name for its ISO code (`MY`: Malaysia), in the device language; the code when it is none. */
@Composable
@ReadOnlyComposable
fun countryName(code: String): String = countryText(code, isEnglish())

/** A value as the state holders word it (state/Words.kt): the string of its key, or the core's words. */
@Composable
@ReadOnlyComposable
fun Words.text(): String = when (this) {
    is Words.Key -> messageRes(key)?.let { stringResource(it) } ?: fallback
    is Words.Plain -> text
}

/** One line of a core status card, in words: the line's kind says which string, its values fill it. */
@Composable
@ReadOnlyComposable
fun cardLineText(line: CardLine): String = when (line) {
    is CardLine.Wave -> stringResource(R.string.prakerja_wave, line.wave.toString())
    is CardLine.PurchaseDeadline -> stringResource(R.string.line_purchase_deadline, dateText(line.date), line.daysLeft.toInt())
    is CardLine.Incentive -> stringResource(R.string.line_incentive, line.instalments.toInt(), formatRupiah(line.rupiah))
    is CardLine.Provider -> stringResource(R.string.line_provider, line.text)
    is CardLine.Dates -> stringResource(R.string.line_dates, line.start?.let { dateText(it) } ?: "…", line.end?.let { dateText(it) } ?: "…")
    is CardLine.Certificate -> stringResource(R.string.training_certificate, line.number)
    is CardLine.Source -> stringResource(if (line.loan) R.string.line_source_loan else R.string.line_source_grant, keyText(line.sourceKey))
    is CardLine.Amount -> when (line.key) {
        "line_requested" -> stringResource(R.string.capital_amount_requested, formatRupiah(line.rupiah))
        "line_approved" -> stringResource(R.string.line_approved, formatRupiah(line.rupiah))
        "line_disbursed" -> stringResource(R.string.capital_amount_disbursed, formatRupiah(line.rupiah))
        else -> formatRupiah(line.rupiah)
    }
    is CardLine.Rejection -> stringResource(R.string.capital_rejection_reason, line.reason)
    is CardLine.Revenue -> stringResource(R.string.business_monthly_revenue, formatRupiah(line.rupiah))
    is CardLine.Workers -> stringResource(R.string.line_workers, line.count.toInt())
    is CardLine.SalesThisMonth -> stringResource(R.string.line_sales_this_month, formatRupiah(line.rupiah), line.count.toInt())
    is CardLine.FurthestMarket -> line.country
        ?.let { stringResource(R.string.line_furthest_market_country, keyText(line.marketKey), countryName(it)) }
        ?: stringResource(R.string.line_furthest_market, keyText(line.marketKey))
}

@StringRes
fun prakerjaStageRes(stage: PrakerjaStage): Int = when (stage) {
    PrakerjaStage.REGISTERED -> R.string.prakerja_registered
    PrakerjaStage.TEST_PASSED -> R.string.prakerja_test_passed
    PrakerjaStage.NOT_SELECTED -> R.string.prakerja_not_selected
    PrakerjaStage.SELECTED -> R.string.prakerja_selected
    PrakerjaStage.TRAINING_PURCHASED -> R.string.prakerja_training_purchased
    PrakerjaStage.CERTIFIED -> R.string.prakerja_certified
    PrakerjaStage.RATED -> R.string.prakerja_rated
    PrakerjaStage.INCENTIVE_PAID -> R.string.prakerja_incentive_paid
    PrakerjaStage.REVOKED -> R.string.prakerja_revoked
}

@StringRes
fun capitalStageRes(stage: CapitalStage): Int = when (stage) {
    CapitalStage.INTEREST -> R.string.capital_interest
    CapitalStage.PREPARING_DOCUMENTS -> R.string.capital_preparing_documents
    CapitalStage.SUBMITTED -> R.string.capital_submitted
    CapitalStage.APPROVED -> R.string.capital_approved
    CapitalStage.DISBURSED -> R.string.capital_disbursed
    CapitalStage.REPAYING -> R.string.capital_repaying
    CapitalStage.REPAID -> R.string.capital_repaid
    CapitalStage.USED -> R.string.capital_used
    CapitalStage.REJECTED -> R.string.capital_rejected
    CapitalStage.WITHDRAWN -> R.string.capital_withdrawn
}

/** A capital stage as the core names it in a stage change (`preparing_documents`). */
@StringRes
fun capitalStageRes(name: String): Int? = CapitalStage.entries.firstOrNull { it.name.lowercase() == name }?.let(::capitalStageRes)

@StringRes
fun businessStatusRes(status: BusinessStatus): Int = when (status) {
    BusinessStatus.IDEA -> R.string.business_idea
    BusinessStatus.PLANNING -> R.string.business_planning
    BusinessStatus.RUNNING -> R.string.business_running
    BusinessStatus.PAUSED -> R.string.business_paused
    BusinessStatus.CLOSED -> R.string.business_closed
}

@StringRes
fun trainingStatusRes(status: TrainingStatus): Int = when (status) {
    TrainingStatus.PLANNED -> R.string.training_planned
    TrainingStatus.ENROLLED -> R.string.training_enrolled
    TrainingStatus.ONGOING -> R.string.training_ongoing
    TrainingStatus.COMPLETED -> R.string.training_completed
    TrainingStatus.DROPPED -> R.string.training_dropped
}

@StringRes
fun capitalSourceRes(source: CapitalSource): Int = when (source) {
    CapitalSource.KUR -> R.string.capital_source_kur
    CapitalSource.PROGRAMME_INCENTIVE -> R.string.capital_source_programme_incentive
    CapitalSource.VILLAGE_FUND -> R.string.capital_source_village_fund
    CapitalSource.COOPERATIVE -> R.string.capital_source_cooperative
    CapitalSource.OTHER -> R.string.capital_source_other
}

@StringRes
fun saleMarketRes(market: SaleMarket): Int = when (market) {
    SaleMarket.OWN_VILLAGE -> R.string.market_own_village
    SaleMarket.OTHER_VILLAGES -> R.string.market_other_villages
    SaleMarket.DISTRICT_CITY -> R.string.market_district_city
    SaleMarket.ONLINE_MARKETPLACE -> R.string.market_online_marketplace
    SaleMarket.EXPORT -> R.string.market_export
}

@StringRes
fun trainingKindRes(kind: TrainingKind): Int = when (kind) {
    TrainingKind.VOCATIONAL -> R.string.training_kind_vocational
    TrainingKind.ENTREPRENEURSHIP -> R.string.training_kind_entrepreneurship
    TrainingKind.FINANCIAL_LITERACY -> R.string.training_kind_financial_literacy
    TrainingKind.DIGITAL_MARKETING -> R.string.training_kind_digital_marketing
    TrainingKind.LANGUAGE -> R.string.training_kind_language
    TrainingKind.OTHER -> R.string.training_kind_other
}

@StringRes
fun trainingModeRes(mode: TrainingMode): Int = when (mode) {
    TrainingMode.ONLINE -> R.string.training_mode_online
    TrainingMode.OFFLINE -> R.string.training_mode_offline
    TrainingMode.BLENDED -> R.string.training_mode_blended
}

@StringRes
fun bankRes(bank: Bank): Int = when (bank) {
    Bank.BRI -> R.string.bank_bri
    Bank.BNI -> R.string.bank_bni
    Bank.MANDIRI -> R.string.bank_mandiri
    Bank.BSI -> R.string.bank_bsi
    Bank.BTN -> R.string.bank_btn
    Bank.REGIONAL_BANK -> R.string.bank_regional_bank
    Bank.OTHER -> R.string.bank_other
}

@StringRes
fun kurSchemeRes(scheme: KurScheme): Int = when (scheme) {
    KurScheme.SUPER_MIKRO -> R.string.kur_scheme_super_mikro
    KurScheme.MIKRO -> R.string.kur_scheme_mikro
    KurScheme.KECIL -> R.string.kur_scheme_kecil
}

@StringRes
fun businessSectorRes(sector: BusinessSector): Int = when (sector) {
    BusinessSector.FOOD_BEVERAGE -> R.string.business_sector_food_beverage
    BusinessSector.AGRICULTURE -> R.string.business_sector_agriculture
    BusinessSector.LIVESTOCK -> R.string.business_sector_livestock
    BusinessSector.FISHERIES -> R.string.business_sector_fisheries
    BusinessSector.HANDICRAFT -> R.string.business_sector_handicraft
    BusinessSector.FASHION -> R.string.business_sector_fashion
    BusinessSector.RETAIL -> R.string.business_sector_retail
    BusinessSector.SERVICES -> R.string.business_sector_services
    BusinessSector.TRANSPORT -> R.string.business_sector_transport
    BusinessSector.TOURISM -> R.string.business_sector_tourism
    BusinessSector.OTHER -> R.string.business_sector_other
}

@StringRes
fun salesChannelRes(channel: SalesChannel): Int = when (channel) {
    SalesChannel.SHOP -> R.string.sales_channel_shop
    SalesChannel.MARKET -> R.string.sales_channel_market
    SalesChannel.RESELLER -> R.string.sales_channel_reseller
    SalesChannel.MARKETPLACE -> R.string.sales_channel_marketplace
    SalesChannel.SOCIAL_MEDIA -> R.string.sales_channel_social_media
    SalesChannel.COOPERATIVE -> R.string.sales_channel_cooperative
    SalesChannel.EXPORT -> R.string.sales_channel_export
    SalesChannel.OTHER -> R.string.sales_channel_other
}

@StringRes
fun roleRes(role: Role): Int = when (role) {
    Role.FACILITATOR -> R.string.role_facilitator
    Role.SUPERVISOR -> R.string.role_supervisor
    Role.WORKER -> R.string.role_worker
    Role.ADMIN -> R.string.role_admin
}

@StringRes
fun syncPhaseRes(phase: SyncPhase): Int = when (phase) {
    SyncPhase.PUSHING -> R.string.sync_phase_pushing
    SyncPhase.PULLING -> R.string.sync_phase_pulling
    SyncPhase.DONE -> R.string.sync_phase_done
}

/** The heading of a group of bundle files on the bundle screen. */
@StringRes
fun bundleGroupRes(group: BundleGroup): Int = when (group) {
    BundleGroup.WAITING -> R.string.bundles_group_waiting
    BundleGroup.ACKNOWLEDGED -> R.string.bundles_group_acknowledged
    BundleGroup.TO_DELIVER -> R.string.bundles_group_to_deliver
    BundleGroup.TO_HAND_ON -> R.string.bundles_group_to_hand_on
    BundleGroup.DELIVERED -> R.string.bundles_group_delivered
    BundleGroup.REFUSED -> R.string.bundles_group_refused
    BundleGroup.RECEIVED -> R.string.bundles_group_received
}

/** What a bundle file holds, with its count (changes, answers, updates). */
@StringRes
fun bundleKindRes(kind: BundleKind): Int = when (kind) {
    BundleKind.OUTBOUND -> R.string.bundles_kind_outbound
    BundleKind.RECEIPT -> R.string.bundles_kind_receipt
    BundleKind.INBOUND -> R.string.bundles_kind_inbound
}

@StringRes
fun visitStatusRes(status: VisitStatus): Int = when (status) {
    VisitStatus.DRAFT -> R.string.visit_status_draft
    VisitStatus.COMPLETED -> R.string.visit_status_completed
}

@StringRes
fun beneficiaryKindRes(kind: BeneficiaryKind): Int = when (kind) {
    BeneficiaryKind.RETURNING_WORKER -> R.string.kind_returning_worker
    BeneficiaryKind.FAMILY_MEMBER -> R.string.kind_family_member
}

@StringRes
fun sexRes(sex: Sex): Int = when (sex) {
    Sex.FEMALE -> R.string.sex_female
    Sex.MALE -> R.string.sex_male
}

@StringRes
fun jobSectorRes(sector: JobSector): Int = when (sector) {
    JobSector.DOMESTIC_WORK -> R.string.job_sector_domestic_work
    JobSector.CAREGIVING -> R.string.job_sector_caregiving
    JobSector.MANUFACTURING -> R.string.job_sector_manufacturing
    JobSector.CONSTRUCTION -> R.string.job_sector_construction
    JobSector.PLANTATION_AGRICULTURE -> R.string.job_sector_plantation_agriculture
    JobSector.FISHING -> R.string.job_sector_fishing
    JobSector.HOSPITALITY -> R.string.job_sector_hospitality
    JobSector.RETAIL -> R.string.job_sector_retail
    JobSector.OTHER -> R.string.job_sector_other
}

@StringRes
fun savingsBandRes(band: SavingsBand): Int = when (band) {
    SavingsBand.NONE -> R.string.savings_none
    SavingsBand.UNDER10_MILLION -> R.string.savings_under10_million
    SavingsBand.FROM10_TO50_MILLION -> R.string.savings_from10_to50_million
    SavingsBand.FROM50_TO100_MILLION -> R.string.savings_from50_to100_million
    SavingsBand.OVER100_MILLION -> R.string.savings_over100_million
}

@StringRes
fun consentMethodRes(method: ConsentMethod): Int = when (method) {
    ConsentMethod.SIGNED_FORM -> R.string.consent_signed_form
    ConsentMethod.VERBAL_WITNESSED -> R.string.consent_verbal_witnessed
    ConsentMethod.IN_APP -> R.string.consent_in_app
}

/** A field the core names in a problem (snake_case, as in its records), for problems shown apart. */
@StringRes
fun fieldRes(field: String): Int? = when (field) {
    "kind" -> R.string.field_kind
    "family_of" -> R.string.field_family_of
    "nik" -> R.string.field_nik
    "full_name" -> R.string.field_full_name
    "sex" -> R.string.field_sex
    "birth_date" -> R.string.field_birth_date
    "phone" -> R.string.field_phone
    "village_code" -> R.string.field_village
    "address" -> R.string.field_address
    "last_country" -> R.string.field_last_country
    "job_sector_abroad" -> R.string.field_job_sector_abroad
    "years_abroad" -> R.string.field_years_abroad
    "return_month" -> R.string.field_return_month
    "savings_band" -> R.string.field_savings_band
    "skills" -> R.string.field_skills
    "networks" -> R.string.field_networks
    "dependants" -> R.string.field_dependants
    "consent_method", "consent_given_at" -> R.string.field_consent_method
    "notes" -> R.string.visit_notes
    // Programme records (moves and the add forms).
    "stage", "status" -> R.string.field_stage
    "wave" -> R.string.field_wave
    "selected_on" -> R.string.field_selected_on
    "training_id" -> R.string.field_training_id
    "certificate_no" -> R.string.field_certificate_no
    "incentive_received" -> R.string.field_incentive_instalment
    "start_date" -> R.string.field_start_date
    "end_date" -> R.string.field_end_date
    "submitted_on" -> R.string.field_submitted_on
    "amount_approved" -> R.string.field_amount_approved
    "amount_disbursed" -> R.string.field_amount_disbursed
    "disbursed_on" -> R.string.field_disbursed_on
    "rejection_reason" -> R.string.field_rejection_reason
    "started_on" -> R.string.field_started_on
    "monthly_revenue" -> R.string.field_monthly_revenue
    "workers" -> R.string.field_workers
    "title" -> R.string.field_training_title
    "provider" -> R.string.field_provider
    "mode" -> R.string.field_training_mode
    "source" -> R.string.field_capital_source
    "amount_requested" -> R.string.field_amount_requested
    "purpose" -> R.string.field_purpose
    "bank" -> R.string.field_bank
    "kur_scheme" -> R.string.field_kur_scheme
    "business_id" -> R.string.field_business
    "name" -> R.string.field_business_name
    "sector" -> R.string.field_business_sector
    "products" -> R.string.field_products
    "sales_channels" -> R.string.field_sales_channels
    "sold_on" -> R.string.field_sold_on
    "product" -> R.string.field_product
    "quantity" -> R.string.field_quantity
    "unit" -> R.string.field_unit
    "market" -> R.string.field_market
    "export_country" -> R.string.field_export_country
    "buyer" -> R.string.field_buyer
    "revenue" -> R.string.field_revenue
    else -> null
}

/** The stable problem codes of the core's validation and checklist checks. */
@StringRes
fun problemRes(code: String): Int? = when (code) {
    "required" -> R.string.problem_required
    "invalid_format" -> R.string.problem_invalid_format
    "invalid_date" -> R.string.problem_invalid_date
    "invalid_area_code" -> R.string.problem_invalid_area_code
    "invalid_birth_date" -> R.string.problem_invalid_birth_date
    "invalid_serial" -> R.string.problem_invalid_serial
    "sex_mismatch" -> R.string.problem_sex_mismatch
    "birth_date_mismatch" -> R.string.problem_birth_date_mismatch
    "in_future" -> R.string.problem_in_future
    "out_of_range" -> R.string.problem_out_of_range
    "too_long" -> R.string.problem_too_long
    "too_many" -> R.string.problem_too_many
    "not_applicable" -> R.string.problem_not_applicable
    "invalid_id" -> R.string.problem_invalid_id
    "invalid_country" -> R.string.problem_invalid_country
    "unknown_village" -> R.string.problem_unknown_village
    "unknown_option" -> R.string.problem_unknown_option
    "wrong_type" -> R.string.problem_wrong_type
    "over_ceiling" -> R.string.problem_over_ceiling
    "duplicate" -> R.string.problem_duplicate
    else -> null
}
