package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.Beneficiary
import id.go.kemnaker.desmig.core.BeneficiaryFile
import id.go.kemnaker.desmig.core.BeneficiaryInput
import id.go.kemnaker.desmig.core.BeneficiaryKind
import id.go.kemnaker.desmig.core.BeneficiarySummary
import id.go.kemnaker.desmig.core.CardKind
import id.go.kemnaker.desmig.core.ConsentMethod
import id.go.kemnaker.desmig.core.DesmigException
import id.go.kemnaker.desmig.core.FieldStore
import id.go.kemnaker.desmig.core.Region
import id.go.kemnaker.desmig.core.Sex
import id.go.kemnaker.desmig.core.StatusCard

const val PAGE_SIZE = 50

data class BeneficiaryListState(
    val villages: List<Region> = emptyList(),
    val village: Region? = null,
    val query: String = "",
    val items: List<BeneficiarySummary> = emptyList(),
    val nextOffset: Int? = null,
    val error: UiMessage? = null,
)

/** The facilitator's villages and a village's beneficiaries, with search (name or NIK). */
class BeneficiaryListModel(private val store: FieldStore) : StateHolder<BeneficiaryListState>(BeneficiaryListState()) {
    fun load() {
        attempt { store.villages() }
            .onSuccess { villages -> update { it.copy(villages = villages, error = null) }; villages.firstOrNull()?.let(::selectVillage) }
            .onFailure { e -> update { it.copy(error = e.toUiMessage()) } }
    }

    fun selectVillage(village: Region) {
        update { it.copy(village = village, query = "", items = emptyList(), nextOffset = 0) }
        loadMore()
    }

    fun loadMore() {
        val village = state.village ?: return
        val offset = state.nextOffset ?: return
        attempt { store.listBeneficiaries(village.code, offset.toUInt(), PAGE_SIZE.toUInt()) }
            .onSuccess { page -> update { it.copy(items = it.items + page.items, nextOffset = page.nextOffset?.toInt(), error = null) } }
            .onFailure { e -> update { it.copy(error = e.toUiMessage()) } }
    }

    /** Searches all the user's villages; an empty query goes back to the village list. */
    fun search(text: String) {
        if (text.isBlank()) {
            state.village?.let(::selectVillage)
            return
        }
        attempt { store.searchBeneficiaries(text, PAGE_SIZE.toUInt()) }
            .onSuccess { found -> update { it.copy(query = text, items = found, nextOffset = null, error = null) } }
            .onFailure { e -> update { it.copy(query = text, error = e.toUiMessage()) } }
    }
}

data class RegistrationState(
    val input: BeneficiaryInput,
    val problems: FieldProblems = emptyMap(),
    val saved: Beneficiary? = null,
    val error: UiMessage? = null,
)

fun emptyInput(villageCode: String) = BeneficiaryInput(
    kind = BeneficiaryKind.RETURNING_WORKER, familyOf = null, nik = null, fullName = "", sex = Sex.FEMALE, birthDate = null,
    phone = null, villageCode = villageCode, address = null, lastCountry = null, jobSectorAbroad = null, yearsAbroad = null,
    returnMonth = null, savingsBand = null, skills = emptyList(), networks = null, dependants = 0u, consentMethod = ConsentMethod.SIGNED_FORM,
)

/** The registration (and edit) form: core validates; every problem is shown by its field. */
class RegistrationModel(private val store: FieldStore, villageCode: String, private val editing: String? = null) :
    StateHolder<RegistrationState>(RegistrationState(emptyInput(villageCode))) {

    fun edit(change: (BeneficiaryInput) -> BeneficiaryInput) = update { it.copy(input = change(it.input)) }

    fun save(): Boolean {
        val input = state.input
        return try {
            val saved = if (editing == null) store.registerBeneficiary(input) else store.updateBeneficiary(editing, input)
            update { it.copy(saved = saved, problems = emptyMap(), error = null) }
            true
        } catch (e: DesmigException.Validation) {
            update { it.copy(problems = e.errors.byField(), error = e.toUiMessage()) }
            false
        } catch (e: DesmigException) {
            update { it.copy(error = e.toUiMessage()) }
            false
        }
    }
}

data class BeneficiaryFileState(
    val file: BeneficiaryFile? = null,
    /** The core's status cards: Prakerja, each training, each capital application, each business. */
    val cards: List<StatusCard> = emptyList(),
    val error: UiMessage? = null,
    /** The user asked to withdraw the person's consent and is being asked to confirm it. */
    val confirmingWithdrawal: Boolean = false,
) {
    /** When the person withdrew consent (Unix milliseconds, as the core recorded it), or null. */
    val consentWithdrawnAt: Long? get() = file?.beneficiary?.consentWithdrawnAt

    /**
     * Whether the screen offers new records for the person (a visit, a family member, a
     * correction). After a withdrawal it does not: the core refuses them (`consent_withdrawn`).
     */
    val canAddRecords: Boolean get() = file != null && consentWithdrawnAt == null

    /** Whether "withdraw consent" is offered: once, while consent stands. */
    val canWithdrawConsent: Boolean get() = file != null && consentWithdrawnAt == null

    /**
     * Whether [card] offers editing its record beyond its status (a training's or a business's
     * details, in their forms): while new records may be made, for a record the file holds.
     */
    fun canEdit(card: StatusCard): Boolean {
        val f = file ?: return false
        return canAddRecords && when (card.kind) {
            CardKind.TRAINING -> f.trainings.any { it.id == card.subjectId }
            CardKind.BUSINESS -> f.businesses.any { it.id == card.subjectId }
            else -> false
        }
    }
}

/**
 * A beneficiary's file with the core's status cards (titles, stages, lines, warnings and the
 * moves each allows), and [moves], which records a card's move and reloads the file.
 */
class BeneficiaryFileModel(private val store: FieldStore, private val beneficiaryId: String) : StateHolder<BeneficiaryFileState>(BeneficiaryFileState()) {
    /** A move of one of the file's cards; after a save the file and its cards are read again. */
    val moves = StatusMoveModel(store, beneficiaryId) { load() }

    fun load() {
        attempt { store.beneficiaryFile(beneficiaryId) to store.statusCards(beneficiaryId) }
            .onSuccess { (f, cards) -> update { it.copy(file = f, cards = cards, error = null) } }
            .onFailure { e -> update { it.copy(error = e.toUiMessage()) } }
    }

    /** The person withdraws consent: first ask the user to confirm ([confirmWithdrawal] or [cancelWithdrawal]). */
    fun askToWithdrawConsent() = update { if (it.canWithdrawConsent) it.copy(confirmingWithdrawal = true) else it }

    fun cancelWithdrawal() = update { it.copy(confirmingWithdrawal = false) }

    /**
     * Records the confirmed withdrawal (the core stamps the moment, and refuses new records for
     * the person from then on, here and on the server) and reloads the file. Blocking. False when
     * nothing was asked to confirm, or the core refused (the error says why).
     */
    fun confirmWithdrawal(): Boolean {
        if (!state.confirmingWithdrawal) return false
        update { it.copy(confirmingWithdrawal = false) }
        return attempt { store.withdrawConsent(beneficiaryId) }
            .onSuccess { load() }
            .onFailure { e -> update { it.copy(error = e.toUiMessage()) } }
            .isSuccess
    }
}

/** Whole rupiah as Indonesians write it: `Rp 10.000.000`. */
fun formatRupiah(amount: Long): String {
    val digits = kotlin.math.abs(amount).toString().reversed().chunked(3).joinToString(".").reversed()
    return (if (amount < 0) "-Rp " else "Rp ") + digits
}
