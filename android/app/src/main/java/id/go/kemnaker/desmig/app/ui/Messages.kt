package id.go.kemnaker.desmig.app.ui

import android.content.res.Resources
import androidx.annotation.StringRes
import androidx.compose.runtime.Composable
import androidx.compose.runtime.ReadOnlyComposable
import androidx.compose.ui.platform.LocalConfiguration
import androidx.compose.ui.res.stringResource
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.core.BeneficiaryKind
import id.go.kemnaker.desmig.core.BusinessStatus
import id.go.kemnaker.desmig.core.CapitalSource
import id.go.kemnaker.desmig.core.CapitalStage
import id.go.kemnaker.desmig.core.ConsentMethod
import id.go.kemnaker.desmig.core.FieldError
import id.go.kemnaker.desmig.core.JobSector
import id.go.kemnaker.desmig.core.PrakerjaStage
import id.go.kemnaker.desmig.core.Role
import id.go.kemnaker.desmig.core.SavingsBand
import id.go.kemnaker.desmig.core.Sex
import id.go.kemnaker.desmig.core.SyncPhase
import id.go.kemnaker.desmig.core.TrainingStatus
import id.go.kemnaker.desmig.core.VisitStatus
import id.go.kemnaker.desmig.state.CardDetail
import id.go.kemnaker.desmig.state.UiMessage
import id.go.kemnaker.desmig.state.formatRupiah
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
    "error_sync_refused" -> R.string.error_sync_refused
    "error_unexpected" -> R.string.error_unexpected
    "error_validation" -> R.string.error_validation
    "login_missing_fields" -> R.string.login_missing_fields
    "login_wrong_credentials" -> R.string.login_wrong_credentials
    "sync_cancelled" -> R.string.sync_cancelled
    "card_prakerja" -> R.string.card_prakerja
    "card_trainings" -> R.string.card_trainings
    "card_capital" -> R.string.card_capital
    "card_business" -> R.string.card_business
    "prakerja_none" -> R.string.prakerja_none
    "trainings_none" -> R.string.trainings_none
    "trainings_count" -> R.string.trainings_count
    else -> PrakerjaStage.entries.firstOrNull { key == "prakerja_" + it.name.lowercase() }?.let(::prakerjaStageRes)
        ?: CapitalStage.entries.firstOrNull { key == "capital_" + it.name.lowercase() }?.let(::capitalStageRes)
        ?: BusinessStatus.entries.firstOrNull { key == "business_" + it.name.lowercase() }?.let(::businessStatusRes)
}

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

/** A checklist text (label, help, title, option) in the device language: Indonesian unless English. */
@Composable
@ReadOnlyComposable
fun CoreText.localized(): String = if (isEnglish()) en.ifBlank { id } else id

/** One line of a status card (see BeneficiaryFileModel.cardsOf), in words. */
@Composable
@ReadOnlyComposable
fun cardDetailText(detail: CardDetail): String = when (detail) {
    is CardDetail.Wave -> stringResource(R.string.prakerja_wave, detail.wave.toString())
    is CardDetail.PurchaseDeadline -> stringResource(R.string.prakerja_deadline, formatIsoDate(detail.date))
    is CardDetail.TrainingLine -> stringResource(R.string.training_line, detail.title, stringResource(trainingStatusRes(detail.status)))
    is CardDetail.Source -> stringResource(capitalSourceRes(detail.source))
    is CardDetail.Requested -> formatRupiah(detail.rupiah)
    is CardDetail.Disbursed -> stringResource(R.string.capital_amount_disbursed, formatRupiah(detail.rupiah))
    is CardDetail.Name -> detail.text
    is CardDetail.Revenue -> formatRupiah(detail.rupiah)
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
