import Foundation
import DesmigCore

struct VisitFormState: Equatable {
    var template: ChecklistTemplate?
    var visit: Visit?
    /// The items to show now, in order: the core decides by the skip logic.
    var items: [ChecklistItem] = []
    var answers: [String: AnswerValue] = [:]
    var notes = ""
    var problems: FieldProblems = [:]
    var completeness = 0
    var followUps: [NewFollowUp] = []
    var busy = false
    var saved = false
    var completed = false
    var error: UiMessage?
}

/// A visit form rendered from a checklist template, checked by core as the user answers.
@MainActor
final class VisitFormViewModel: ObservableObject {
    @Published private(set) var state = VisitFormState()
    private let store: FieldStore
    /// Bumped by every answer, so that only the newest check's result is shown.
    private var checkGeneration = 0

    init(store: FieldStore) {
        self.store = store
    }

    /// Starts a new draft visit (or the core reopens the beneficiary's draft of that checklist).
    func start(beneficiaryId: String, templateId: String, location: GeoPoint?) async {
        guard state.visit == nil else { return }
        let store = self.store
        do {
            let visit = try await Core.run {
                try store.startVisit(beneficiaryId: beneficiaryId, templateId: templateId, location: location)
            }
            await open(visit)
        } catch {
            state.error = uiMessage(for: error)
        }
    }

    /// Opens a visit (a draft to go on with, or a completed one to read) with its template version.
    func open(_ visit: Visit) async {
        let store = self.store
        do {
            let template = try await Core.run { try store.template(id: visit.templateId, version: visit.templateVersion) }
            state = VisitFormState(
                template: template,
                visit: visit,
                answers: visit.answers,
                notes: visit.notes ?? "",
                completeness: Int(visit.completeness),
                completed: visit.status == .completed
            )
            await recheck()
        } catch {
            state.error = uiMessage(for: error)
        }
    }

    /// Sets (or clears, with nil) one answer; shown items, problems and completeness follow.
    func answer(_ itemId: String, _ value: AnswerValue?) {
        state.answers[itemId] = value
        state.saved = false
        Task { await recheck() }
    }

    func editNotes(_ notes: String) {
        state.notes = notes
        state.saved = false
    }

    func addFollowUp(action: String, dueDate: String) {
        state.followUps.append(NewFollowUp(action: action, dueDate: dueDate))
    }

    func removeFollowUp(at index: Int) {
        guard state.followUps.indices.contains(index) else { return }
        state.followUps.remove(at: index)
    }

    private func recheck() async {
        guard let template = state.template else { return }
        checkGeneration += 1
        let generation = checkGeneration
        let answers = state.answers
        let store = self.store
        guard let check = try? await Core.run({
            try store.checkAnswers(templateId: template.id, version: template.version, answers: answers, complete: false)
        }) else { return }
        guard generation == checkGeneration else { return }
        let visible = Set(check.visibleItems)
        state.items = template.items.filter { visible.contains($0.id) }
        state.problems = check.problems.byField()
        state.completeness = Int(check.completeness)
    }

    @discardableResult
    func saveDraft() async -> Bool {
        guard let visit = state.visit else { return false }
        let answers = state.answers
        let notes = Self.nonBlank(state.notes)
        let store = self.store
        return await save {
            try store.saveVisitDraft(visitId: visit.id, answers: answers, notes: notes, location: nil)
        }
    }

    /// Completes the visit, or shows every problem by its item and keeps the draft.
    @discardableResult
    func complete() async -> Bool {
        guard let visit = state.visit else { return false }
        let answers = state.answers
        let notes = Self.nonBlank(state.notes)
        let followUps = state.followUps
        let store = self.store
        return await save {
            try store.completeVisit(visitId: visit.id, answers: answers, notes: notes, followUps: followUps)
        }
    }

    private func save(_ call: @escaping () throws -> Visit) async -> Bool {
        state.busy = true
        do {
            let saved = try await Core.run(call)
            state.busy = false
            state.visit = saved
            state.answers = saved.answers
            state.saved = true
            state.completed = saved.status == .completed
            if state.completed { state.followUps = [] }
            state.error = nil
            return true
        } catch {
            state.busy = false
            if let coreError = error as? DesmigError, case .Validation(let errors) = coreError {
                state.problems = errors.byField()
            }
            state.error = uiMessage(for: error)
            return false
        }
    }

    private static func nonBlank(_ text: String) -> String? {
        text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : text
    }
}
