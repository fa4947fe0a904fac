package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.BeneficiaryFile
import id.go.kemnaker.desmig.core.Business
import id.go.kemnaker.desmig.core.BusinessSector
import id.go.kemnaker.desmig.core.BusinessStatus
import id.go.kemnaker.desmig.core.CapitalApplication
import id.go.kemnaker.desmig.core.CapitalSource
import id.go.kemnaker.desmig.core.CapitalStage
import id.go.kemnaker.desmig.core.CardAction
import id.go.kemnaker.desmig.core.CardKind
import id.go.kemnaker.desmig.core.DesmigException
import id.go.kemnaker.desmig.core.FieldStore
import id.go.kemnaker.desmig.core.InputKind
import id.go.kemnaker.desmig.core.MoveField
import id.go.kemnaker.desmig.core.Prakerja
import id.go.kemnaker.desmig.core.PrakerjaStage
import id.go.kemnaker.desmig.core.ProductSale
import id.go.kemnaker.desmig.core.SaleMarket
import id.go.kemnaker.desmig.core.SalesChannel
import id.go.kemnaker.desmig.core.StatusCard
import id.go.kemnaker.desmig.core.Training
import id.go.kemnaker.desmig.core.TrainingKind
import id.go.kemnaker.desmig.core.TrainingMode
import id.go.kemnaker.desmig.core.TrainingStatus
import id.go.kemnaker.desmig.core.capitalIsLoan

// Moving a programme status from a card of the beneficiary's file, and adding trainings, capital
// applications, businesses and sales. The core decides which moves a card offers (its `actions`)
// and whether a move is right (validation, transitions): these holders only gather what the user
// enters and pass it on, and show the core's answer by field.

/** The record a move changes, as the file holds it (null: a Prakerja card not started yet). */
sealed class MoveSubject {
    data class OfPrakerja(val record: Prakerja?) : MoveSubject()
    data class OfTraining(val record: Training) : MoveSubject()
    data class OfCapital(val record: CapitalApplication) : MoveSubject()
    data class OfBusiness(val record: Business) : MoveSubject()
}

/**
 * The core's field names a move may ask for (`CardAction.fields`); problems come back under the
 * same names. Which control a field takes and whether it is required is the core's too
 * (`MoveField.kind`, `MoveField.required`), never decided here from the name.
 */
object MoveFields {
    const val WAVE = "wave"
    const val SELECTED_ON = "selected_on"
    /** The training bought with the Kartu Prakerja: one of the file's own trainings (a choice). */
    const val TRAINING_ID = "training_id"
    const val CERTIFICATE_NO = "certificate_no"
    /** The amount of this incentive instalment (the core counts it and adds it to what was received before). */
    const val INCENTIVE_RECEIVED = "incentive_received"
    const val START_DATE = "start_date"
    const val END_DATE = "end_date"
    const val SUBMITTED_ON = "submitted_on"
    const val AMOUNT_APPROVED = "amount_approved"
    const val AMOUNT_DISBURSED = "amount_disbursed"
    const val DISBURSED_ON = "disbursed_on"
    const val REJECTION_REASON = "rejection_reason"
    const val STARTED_ON = "started_on"
    const val MONTHLY_REVENUE = "monthly_revenue"
    const val WORKERS = "workers"
}

/**
 * One move in progress: from the card's stage to the action's, with the inputs that stage records
 * (by the core's field names) and an optional note kept with the stage change.
 */
data class StatusMove(
    val kind: CardKind,
    val subjectId: String,
    /** The card's stage key (`capital_approved`). */
    val fromKey: String,
    /** The action's stage key (`capital_disbursed`). */
    val toKey: String,
    /**
     * What the user enters for this stage, in order, as the core asks for it: each field's name,
     * control (`kind`), whether it is required, and a choice's options (may be empty: a move with
     * a note only).
     */
    val fields: List<MoveField>,
    /** What the user entered, by field name (a choice: the option's value). */
    val values: Map<String, String>,
    val note: String = "",
    internal val subject: MoveSubject,
) {
    /** The names of the fields asked for, in order. */
    val fieldNames: List<String> get() = fields.map { it.name }

    /** Whether the move asks for the field [name]. */
    fun asks(name: String): Boolean = fields.any { it.name == name }
}

data class StatusMoveState(
    val move: StatusMove? = null,
    val problems: FieldProblems = emptyMap(),
    /** The core refused the move itself (`DesmigException.Conflict`): its reason. */
    val conflict: String? = null,
    val error: UiMessage? = null,
    /** The stage key of the last move saved (the screen may say so). */
    val saved: String? = null,
)

/**
 * Moves a card's record to one of the card's actions: [start] with the card and the action the
 * user tapped, [edit] the inputs, [save] through the core. After a save [onSaved] runs (the file
 * reloads its cards). A refused transition is [StatusMoveState.conflict], typed; field problems
 * are [StatusMoveState.problems] by the core's field names.
 */
class StatusMoveModel(
    private val store: FieldStore,
    private val beneficiaryId: String,
    private val onSaved: () -> Unit = {},
) : StateHolder<StatusMoveState>(StatusMoveState()) {

    /** Opens the move of [card] to [action] (one of `card.actions`). Blocking: reads the file. */
    fun start(card: StatusCard, action: CardAction) {
        attempt { subjectOf(card) }
            .onSuccess { subject ->
                // What the move asks for is the core's (`CardAction.fields`), as are the moves offered.
                val fields = action.fields
                update { StatusMoveState(move = StatusMove(card.kind, card.subjectId, card.stageKey, action.stageKey, fields, prefill(subject, fields), "", subject)) }
            }
            .onFailure { e -> update { StatusMoveState(error = e.toUiMessage()) } }
    }

    /** Types [value] into [field] (a choice: the chosen option's value; empty for none). */
    fun edit(field: String, value: String) = update { s -> s.copy(move = s.move?.let { it.copy(values = it.values + (field to value)) }) }

    fun editNote(note: String) = update { s -> s.copy(move = s.move?.copy(note = note)) }

    fun cancel() = update { StatusMoveState() }

    /** Saves the move; false (with problems, a conflict or an error) when the core refuses it. Blocking. */
    fun save(): Boolean {
        val move = state.move ?: return false
        val note = move.note.trim().ifEmpty { null }
        return try {
            when (val s = move.subject) {
                // One more incentive instalment: the core counts it and adds its amount (an empty
                // amount is none, which the core refuses under the field).
                is MoveSubject.OfPrakerja -> if (move.toKey == INCENTIVE_PAID) {
                    store.recordIncentiveInstalment(beneficiaryId, move.number(MoveFields.INCENTIVE_RECEIVED) ?: 0L, note)
                } else {
                    store.savePrakerja(prakerjaMoved(s.record, move), note)
                }
                is MoveSubject.OfTraining -> store.saveTraining(trainingMoved(s.record, move), note)
                is MoveSubject.OfCapital -> store.saveCapitalApplication(capitalMoved(s.record, move), note)
                is MoveSubject.OfBusiness -> store.saveBusiness(businessMoved(s.record, move), note)
            }
            update { StatusMoveState(saved = move.toKey) }
            onSaved()
            true
        } catch (e: DesmigException.Validation) {
            update { it.copy(problems = e.errors.byField(), conflict = null, error = e.toUiMessage()) }
            false
        } catch (e: DesmigException.Conflict) {
            update { it.copy(problems = emptyMap(), conflict = e.reason, error = e.toUiMessage()) }
            false
        } catch (e: DesmigException) {
            update { it.copy(error = e.toUiMessage()) }
            false
        }
    }

    private fun subjectOf(card: StatusCard): MoveSubject {
        val file = store.beneficiaryFile(beneficiaryId)
        fun missing(): Nothing = throw DesmigException.NotFound(card.kind.name.lowercase(), card.subjectId)
        return when (card.kind) {
            CardKind.PRAKERJA -> MoveSubject.OfPrakerja(file.prakerja)
            CardKind.TRAINING -> MoveSubject.OfTraining(file.trainings.firstOrNull { it.id == card.subjectId } ?: missing())
            CardKind.CAPITAL -> MoveSubject.OfCapital(file.capitalApplications.firstOrNull { it.id == card.subjectId } ?: missing())
            CardKind.BUSINESS -> MoveSubject.OfBusiness(file.businesses.firstOrNull { it.id == card.subjectId } ?: missing())
        }
    }

    private fun prakerjaMoved(old: Prakerja?, m: StatusMove): Prakerja {
        val stage = stageOf(m.toKey, "prakerja_", PrakerjaStage.entries)
        val base = old ?: Prakerja(beneficiaryId, stage, null, null, null, null, null, 0u, 0)
        var p = base.copy(stage = stage)
        if (m.asks(MoveFields.WAVE)) p = p.copy(wave = m.number(MoveFields.WAVE)?.toUInt())
        if (m.asks(MoveFields.SELECTED_ON)) p = p.copy(selectedOn = m.text(MoveFields.SELECTED_ON))
        // The training bought: the option's value is the training's id (the core refuses another person's).
        if (m.asks(MoveFields.TRAINING_ID)) p = p.copy(trainingId = m.text(MoveFields.TRAINING_ID))
        if (m.asks(MoveFields.CERTIFICATE_NO)) p = p.copy(certificateNo = m.text(MoveFields.CERTIFICATE_NO))
        return p
    }

    private fun trainingMoved(old: Training, m: StatusMove): Training {
        var t = old.copy(status = stageOf(m.toKey, "training_", TrainingStatus.entries))
        if (m.asks(MoveFields.START_DATE)) t = t.copy(startDate = m.text(MoveFields.START_DATE))
        if (m.asks(MoveFields.END_DATE)) t = t.copy(endDate = m.text(MoveFields.END_DATE))
        if (m.asks(MoveFields.CERTIFICATE_NO)) t = t.copy(certificateNo = m.text(MoveFields.CERTIFICATE_NO))
        return t
    }

    private fun capitalMoved(old: CapitalApplication, m: StatusMove): CapitalApplication {
        var c = old.copy(stage = stageOf(m.toKey, "capital_", CapitalStage.entries))
        if (m.asks(MoveFields.SUBMITTED_ON)) c = c.copy(submittedOn = m.text(MoveFields.SUBMITTED_ON))
        if (m.asks(MoveFields.AMOUNT_APPROVED)) c = c.copy(amountApproved = m.number(MoveFields.AMOUNT_APPROVED))
        if (m.asks(MoveFields.AMOUNT_DISBURSED)) c = c.copy(amountDisbursed = m.number(MoveFields.AMOUNT_DISBURSED))
        if (m.asks(MoveFields.DISBURSED_ON)) c = c.copy(disbursedOn = m.text(MoveFields.DISBURSED_ON))
        if (m.asks(MoveFields.REJECTION_REASON)) c = c.copy(rejectionReason = m.text(MoveFields.REJECTION_REASON))
        return c
    }

    private fun businessMoved(old: Business, m: StatusMove): Business {
        var b = old.copy(status = stageOf(m.toKey, "business_", BusinessStatus.entries))
        if (m.asks(MoveFields.STARTED_ON)) b = b.copy(startedOn = m.text(MoveFields.STARTED_ON))
        if (m.asks(MoveFields.MONTHLY_REVENUE)) b = b.copy(monthlyRevenue = m.number(MoveFields.MONTHLY_REVENUE))
        if (m.asks(MoveFields.WORKERS)) b = b.copy(workers = (m.number(MoveFields.WORKERS) ?: 0L).coerceIn(0L, UInt.MAX_VALUE.toLong()).toUInt())
        return b
    }

    companion object {
        /** The stage key of an incentive instalment: recorded by the core's own call, which counts it. */
        const val INCENTIVE_PAID = "prakerja_incentive_paid"

        /** What the record already says for these fields (an approved amount starts as the one requested). */
        private fun prefill(subject: MoveSubject, fields: List<MoveField>): Map<String, String> {
            val known: Map<String, String?> = when (subject) {
                is MoveSubject.OfPrakerja -> mapOf(
                    MoveFields.WAVE to subject.record?.wave?.toString(),
                    MoveFields.SELECTED_ON to subject.record?.selectedOn,
                    MoveFields.TRAINING_ID to subject.record?.trainingId,
                    MoveFields.CERTIFICATE_NO to subject.record?.certificateNo,
                )
                is MoveSubject.OfTraining -> mapOf(
                    MoveFields.START_DATE to subject.record.startDate,
                    MoveFields.END_DATE to subject.record.endDate,
                    MoveFields.CERTIFICATE_NO to subject.record.certificateNo,
                )
                is MoveSubject.OfCapital -> mapOf(
                    MoveFields.SUBMITTED_ON to subject.record.submittedOn,
                    MoveFields.AMOUNT_APPROVED to (subject.record.amountApproved ?: subject.record.amountRequested).toString(),
                    MoveFields.AMOUNT_DISBURSED to (subject.record.amountDisbursed ?: subject.record.amountApproved)?.toString(),
                    MoveFields.DISBURSED_ON to subject.record.disbursedOn,
                    MoveFields.REJECTION_REASON to subject.record.rejectionReason,
                )
                is MoveSubject.OfBusiness -> mapOf(
                    MoveFields.STARTED_ON to subject.record.startedOn,
                    MoveFields.MONTHLY_REVENUE to subject.record.monthlyRevenue?.toString(),
                    MoveFields.WORKERS to subject.record.workers.takeIf { it > 0u }?.toString(),
                )
            }
            // A choice starts at what the record names only when the core still offers it.
            return fields.mapNotNull { f ->
                known[f.name]?.takeIf { v -> f.kind != InputKind.CHOICE || f.options.any { it.value == v } }?.let { f.name to it }
            }.toMap()
        }

        /** The stage a key names (`capital_used` → USED); the keys are the core's. */
        private fun <E : Enum<E>> stageOf(key: String, prefix: String, entries: List<E>): E =
            entries.firstOrNull { prefix + it.name.lowercase() == key }
                ?: throw DesmigException.Conflict("`$key` is not a stage this app knows")
    }
}

private fun StatusMove.text(field: String): String? = values[field]?.trim()?.ifEmpty { null }

/** A whole number typed by the user (dots and spaces of `10.000.000` ignored); null when empty. */
private fun StatusMove.number(field: String): Long? = text(field)?.let(::parseWholeNumber)

/** `10.000.000`, `10 000 000` or `10000000` as a number; null when there is none. */
fun parseWholeNumber(text: String): Long? = text.filter(Char::isDigit).takeIf { it.isNotEmpty() }?.toBigInteger()
    ?.min(Long.MAX_VALUE.toBigInteger())?.toLong()

// ---------------------------------------------------------------------------------------------
// Adding records: a training, a capital application, a business, a sale; and editing a training
// or a business of the file beyond its status (the status moves on its card).

data class RecordFormState<T>(
    val input: T,
    val problems: FieldProblems = emptyMap(),
    val saved: T? = null,
    val error: UiMessage? = null,
    /** The form edits a record the file already has (its status is left to the card's moves). */
    val editing: Boolean = false,
)

/**
 * A form for one record of the file, new or [editing] a stored one: the core validates on [save]
 * (a record with an id is updated, one without is added); problems show by field.
 */
open class RecordFormModel<T : Any>(
    initial: T,
    private val write: (T) -> T,
    editing: Boolean = false,
    error: UiMessage? = null,
) : StateHolder<RecordFormState<T>>(RecordFormState(initial, editing = editing, error = error)) {
    fun edit(change: (T) -> T) = update { it.copy(input = change(it.input)) }

    /** Blocking. False, with the core's problems by field, when it refuses. */
    fun save(): Boolean = try {
        val saved = write(state.input)
        update { it.copy(input = saved, saved = saved, problems = emptyMap(), error = null) }
        true
    } catch (e: DesmigException.Validation) {
        update { it.copy(problems = e.errors.byField(), error = e.toUiMessage()) }
        false
    } catch (e: DesmigException) {
        update { it.copy(problems = emptyMap(), error = e.toUiMessage()) }
        false
    }
}

/** Where a form starts, how it saves, and what it says first. */
internal class FormStart<T>(val initial: T, val write: (T) -> T, val error: UiMessage? = null)

/**
 * The form over one record of the file, as stored: [find] picks it from the file by its id (the
 * card's `subjectId`). Its status is written as the file holds it at save time, so that the form
 * never undoes a move made meanwhile (moves are the card's). When the file has no such record,
 * the form says so and every save is refused (not found): nothing new is made in its place.
 */
private fun <T : Any> storedForm(
    store: FieldStore,
    beneficiaryId: String,
    entity: String,
    id: String,
    blank: T,
    find: (BeneficiaryFile, String) -> T?,
    keepStatus: (edited: T, stored: T) -> T,
    save: (T) -> T,
): FormStart<T> {
    fun stored(): T = find(store.beneficiaryFile(beneficiaryId), id) ?: throw DesmigException.NotFound(entity, id)
    return attempt { stored() }.fold(
        onSuccess = { record -> FormStart(record, { edited -> save(keepStatus(edited, stored())) }) },
        onFailure = { e -> FormStart(blank, { throw e }, e.toUiMessage()) },
    )
}

/** A training to add (planned unless the user says it has already begun or ended), or one of the file's to edit. */
class TrainingFormModel private constructor(start: FormStart<Training>, editing: Boolean) :
    RecordFormModel<Training>(start.initial, start.write, editing, start.error) {

    /** A new training for [beneficiaryId]. */
    constructor(store: FieldStore, beneficiaryId: String) : this(FormStart(blankTraining(beneficiaryId), { store.saveTraining(it, null) }), false)

    /**
     * The file's training [trainingId] (a training card's `subjectId`), prefilled as stored; saving
     * updates it. Blocking: reads the file.
     */
    constructor(store: FieldStore, beneficiaryId: String, trainingId: String) : this(
        storedForm(
            store, beneficiaryId, "training", trainingId, blankTraining(beneficiaryId),
            find = { file, id -> file.trainings.firstOrNull { it.id == id } },
            keepStatus = { edited, stored -> edited.copy(status = stored.status) },
            save = { store.saveTraining(it, null) },
        ),
        true,
    )

    private companion object {
        fun blankTraining(beneficiaryId: String) =
            Training("", beneficiaryId, "", "", TrainingKind.VOCATIONAL, TrainingMode.OFFLINE, false, null, null, TrainingStatus.PLANNED, null)
    }
}

/** A capital application from one source, from first interest. KUR goes through a bank, with a scheme. */
class CapitalFormModel(store: FieldStore, beneficiaryId: String, source: CapitalSource) : RecordFormModel<CapitalApplication>(
    CapitalApplication("", beneficiaryId, source, null, null, null, null, 0, null, null, CapitalStage.INTEREST, null, null, null),
    { store.saveCapitalApplication(it, null) },
) {
    /** Another source: a bank and a KUR scheme go with KUR only, so they are cleared for others. */
    fun selectSource(source: CapitalSource) = edit {
        if (source == CapitalSource.KUR) it.copy(source = source) else it.copy(source = source, bank = null, kurScheme = null)
    }
}

/** KUR is applied for at a bank under a scheme: the form asks for both. */
val RecordFormState<CapitalApplication>.asksBankAndScheme: Boolean get() = input.source == CapitalSource.KUR

/** Whether the capital is paid back (a loan) or a grant, as the core says. */
val RecordFormState<CapitalApplication>.isLoan: Boolean get() = capitalIsLoan(input.source)

/** A business to add (an idea unless the user says it is further along), or one of the file's to edit. */
class BusinessFormModel private constructor(start: FormStart<Business>, editing: Boolean) :
    RecordFormModel<Business>(start.initial, start.write, editing, start.error) {

    /** A new business for [beneficiaryId]. */
    constructor(store: FieldStore, beneficiaryId: String) : this(FormStart(blankBusiness(beneficiaryId), { store.saveBusiness(it, null) }), false)

    /**
     * The file's business [businessId] (a business card's `subjectId`), prefilled as stored: its
     * name, sector, start date, workers, monthly revenue, products, sales channels and export
     * readiness; saving updates it. Blocking: reads the file.
     */
    constructor(store: FieldStore, beneficiaryId: String, businessId: String) : this(
        storedForm(
            store, beneficiaryId, "business", businessId, blankBusiness(beneficiaryId),
            find = { file, id -> file.businesses.firstOrNull { it.id == id } },
            keepStatus = { edited, stored -> edited.copy(status = stored.status) },
            save = { store.saveBusiness(it, null) },
        ),
        true,
    )

    /** Sells through [channel] or not (the business's channels keep their order). */
    fun toggleChannel(channel: SalesChannel, on: Boolean) = edit {
        it.copy(salesChannels = if (on) (it.salesChannels + channel).distinct() else it.salesChannels - channel)
    }

    private companion object {
        fun blankBusiness(beneficiaryId: String) =
            Business("", beneficiaryId, "", BusinessSector.FOOD_BEVERAGE, BusinessStatus.IDEA, null, null, 0u, emptyList(), emptyList(), false)
    }
}

/**
 * A sale of one of the person's businesses: where it went (the country for an export only), how
 * much, for how much. [today] (`YYYY-MM-DD`, the phone's) is the sale's date until changed.
 */
class SaleFormModel(store: FieldStore, beneficiaryId: String, businessId: String, today: String, product: String = "") : RecordFormModel<ProductSale>(
    ProductSale("", beneficiaryId, businessId, today, product, 0.0, "", SaleMarket.OWN_VILLAGE, null, null, 0, ""),
    { store.saveProductSale(it) },
) {
    /** Another market: only an export names a country, so it is cleared for the others. */
    fun selectMarket(market: SaleMarket) = edit { if (market == SaleMarket.EXPORT) it.copy(market = market) else it.copy(market = market, exportCountry = null) }
}

/** Only an export names the country it went to. */
val RecordFormState<ProductSale>.asksExportCountry: Boolean get() = input.market == SaleMarket.EXPORT

/** A quantity typed with a decimal comma or point (`1,5`); null when it is not a number. */
fun parseQuantity(text: String): Double? = text.trim().replace(',', '.').toDoubleOrNull()
