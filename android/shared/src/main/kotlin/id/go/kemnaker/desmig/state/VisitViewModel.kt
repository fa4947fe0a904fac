package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.FieldStore
import id.go.kemnaker.desmig.core.VisitView

data class VisitViewState(
    val view: VisitView? = null,
    /** The draft an amendment opened: the screen goes on to the visit form with it. */
    val amendmentDraftId: String? = null,
    val error: UiMessage? = null,
)

/**
 * A visit as it is read: by the supervisor before verifying, by anyone opening a completed visit
 * (read-only, with an amend action). What it shows and which actions it offers are the core's
 * (`visitView`: labels of every answer, `canVerify`, `canAmend`).
 */
class VisitViewModel(private val store: FieldStore, private val visitId: String) : StateHolder<VisitViewState>(VisitViewState()) {
    fun load() {
        attempt { store.visitView(visitId) }
            .onSuccess { v -> update { it.copy(view = v, error = null) } }
            .onFailure { e -> update { it.copy(error = e.toUiMessage()) } }
    }

    /** Verifies the visit when the core offers it; false otherwise, or when the core refuses. */
    fun verify(): Boolean {
        if (state.view?.canVerify != true) return false
        val ok = attempt { store.verifyVisit(visitId) }.onFailure { e -> update { it.copy(error = e.toUiMessage()) } }.isSuccess
        load()
        return ok
    }

    /** Opens an amendment (a new draft that keeps the original) when the core offers it. */
    fun amend(): String? {
        if (state.view?.canAmend != true) return null
        return attempt { store.amendVisit(visitId) }
            .onSuccess { draft -> update { it.copy(amendmentDraftId = draft.id, error = null) } }
            .onFailure { e -> update { it.copy(error = e.toUiMessage()) } }
            .getOrNull()?.id
    }
}
