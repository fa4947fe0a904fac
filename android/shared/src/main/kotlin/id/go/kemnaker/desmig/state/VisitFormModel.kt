package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.AnswerValue
import id.go.kemnaker.desmig.core.ChecklistItem
import id.go.kemnaker.desmig.core.ChecklistTemplate
import id.go.kemnaker.desmig.core.DesmigException
import id.go.kemnaker.desmig.core.FieldStore
import id.go.kemnaker.desmig.core.GeoPoint
import id.go.kemnaker.desmig.core.NewFollowUp
import id.go.kemnaker.desmig.core.Visit
import id.go.kemnaker.desmig.core.VisitStatus

data class VisitFormState(
    val template: ChecklistTemplate? = null,
    val visit: Visit? = null,
    /** The items to show now, in order: the core decides by the skip logic. */
    val items: List<ChecklistItem> = emptyList(),
    val answers: Map<String, AnswerValue> = emptyMap(),
    val notes: String = "",
    val problems: FieldProblems = emptyMap(),
    val completeness: Int = 0,
    val followUps: List<NewFollowUp> = emptyList(),
    val completed: Boolean = false,
    val error: UiMessage? = null,
)

/** A visit form rendered from a checklist template, checked by core as the user answers. */
class VisitFormModel(private val store: FieldStore) : StateHolder<VisitFormState>(VisitFormState()) {
    /** Starts a new draft visit, or reopens a draft. */
    fun start(beneficiaryId: String, templateId: String, location: GeoPoint? = null) {
        attempt { store.startVisit(beneficiaryId, templateId, location) }
            .onSuccess { v -> open(v) }
            .onFailure { e -> update { it.copy(error = e.toUiMessage()) } }
    }

    fun open(visit: Visit) {
        val template = store.template(visit.templateId, visit.templateVersion)
        update { VisitFormState(template = template, visit = visit, answers = visit.answers, notes = visit.notes ?: "") }
        recheck()
    }

    /** Sets (or clears, with null) one answer; shown items, problems and completeness follow. */
    fun answer(itemId: String, value: AnswerValue?) {
        update { s -> s.copy(answers = if (value == null) s.answers - itemId else s.answers + (itemId to value)) }
        recheck()
    }

    fun editNotes(notes: String) = update { it.copy(notes = notes) }

    fun addFollowUp(action: String, dueDate: String) = update { it.copy(followUps = it.followUps + NewFollowUp(action, dueDate)) }

    private fun recheck() {
        val s = state
        val t = s.template ?: return
        attempt { store.checkAnswers(t.id, t.version, s.answers, false) }.onSuccess { c ->
            val visible = c.visibleItems.toSet()
            update { it.copy(items = t.items.filter { i -> i.id in visible }, problems = c.problems.byField(), completeness = c.completeness.toInt()) }
        }
    }

    fun saveDraft(): Boolean {
        val v = state.visit ?: return false
        return save { store.saveVisitDraft(v.id, state.answers, state.notes.ifBlank { null }, null) }
    }

    /** Completes the visit, or shows every problem by its item and keeps the draft. */
    fun complete(): Boolean {
        val v = state.visit ?: return false
        return save { store.completeVisit(v.id, state.answers, state.notes.ifBlank { null }, state.followUps) }
    }

    private fun save(call: () -> Visit): Boolean = try {
        val saved = call()
        update { it.copy(visit = saved, answers = saved.answers, completed = saved.status == VisitStatus.COMPLETED, error = null) }
        true
    } catch (e: DesmigException.Validation) {
        update { it.copy(problems = e.errors.byField(), error = e.toUiMessage()) }
        false
    } catch (e: DesmigException) {
        update { it.copy(error = e.toUiMessage()) }
        false
    }
}
