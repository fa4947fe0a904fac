package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.Conflict
import id.go.kemnaker.desmig.core.DueFollowUp
import id.go.kemnaker.desmig.core.FacilitatorOverview
import id.go.kemnaker.desmig.core.FieldStore
import id.go.kemnaker.desmig.core.Person
import id.go.kemnaker.desmig.core.Resolution
import id.go.kemnaker.desmig.core.Text
import id.go.kemnaker.desmig.core.indicatorsTotal
import id.go.kemnaker.desmig.core.VillageIndicators
import id.go.kemnaker.desmig.core.VillageOverview
import id.go.kemnaker.desmig.core.VisitToVerify
import id.go.kemnaker.desmig.core.WorkerStatus

data class VillageState(
    val villageCode: String,
    val month: String,
    val indicators: VillageIndicators? = null,
    val followUps: List<DueFollowUp> = emptyList(),
    val error: UiMessage? = null,
)

/** A village's indicators this month and the follow-ups due in the coming week. */
class VillageModel(private val store: FieldStore, villageCode: String) : StateHolder<VillageState>(VillageState(villageCode, store.thisMonth())) {
    fun load() {
        attempt { store.villageIndicators(state.villageCode, state.month) to store.followUpsDue(7u) }
            .onSuccess { (ind, due) -> update { it.copy(indicators = ind, followUps = due.filter { f -> f.villageCode == it.villageCode }, error = null) } }
            .onFailure { e -> update { it.copy(error = e.toUiMessage()) } }
    }

    fun markDone(followUpId: String, today: String) {
        attempt { store.completeFollowUp(followUpId, today) }.onFailure { e -> update { it.copy(error = e.toUiMessage()) } }
        load()
    }
}

data class WorkerState(val status: WorkerStatus? = null, val error: UiMessage? = null) {
    /** The facilitators of the worker's village, with their work phone (from the last sync). */
    val facilitators: List<Person> get() = status?.facilitators.orEmpty()
}

/** "My status" for a returning worker: read-only, their own record only. */
class WorkerStatusModel(private val store: FieldStore) : StateHolder<WorkerState>(WorkerState()) {
    fun load() {
        attempt { store.myStatus() }
            .onSuccess { s -> update { WorkerState(s, null) } }
            .onFailure { e -> update { it.copy(error = e.toUiMessage()) } }
    }
}

data class SupervisorState(
    val month: String,
    val villages: List<VillageOverview> = emptyList(),
    /** Every village in scope added up: the district's total. */
    val total: VillageIndicators? = null,
    val toVerify: List<VisitToVerify> = emptyList(),
    val conflicts: List<Conflict> = emptyList(),
    /** The team by facilitator this month: their work phone, visits, people visited, visits to verify. */
    val facilitators: List<FacilitatorOverview> = emptyList(),
    /** Checklist titles by template id, so the list of visits to verify names each checklist. */
    val templateTitles: Map<String, Text> = emptyMap(),
    val error: UiMessage? = null,
)

/** A supervisor's team overview (by village and by facilitator), the visits to verify, and the conflicts to resolve. */
class SupervisorModel(private val store: FieldStore) : StateHolder<SupervisorState>(SupervisorState(store.thisMonth())) {
    fun load() {
        val month = state.month
        attempt {
            val villages = store.teamOverview(month)
            SupervisorState(
                month = month,
                villages = villages,
                // Added up by the core from the overview just read, not queried again.
                total = indicatorsTotal(villages.map { it.indicators }),
                toVerify = store.visitsToVerify(200u),
                conflicts = store.conflicts(false),
                facilitators = store.facilitatorOverview(month),
                templateTitles = store.templates().associate { it.id to it.title },
                error = null,
            )
        }
            .onSuccess { read -> update { read } }
            .onFailure { e -> update { it.copy(error = e.toUiMessage()) } }
    }

    fun verify(visitId: String) {
        attempt { store.verifyVisit(visitId) }.onFailure { e -> update { it.copy(error = e.toUiMessage()) } }
        load()
    }

    fun resolve(conflictId: String, resolution: Resolution) {
        attempt { store.resolveConflict(conflictId, resolution) }.onFailure { e -> update { it.copy(error = e.toUiMessage()) } }
        load()
    }
}
