import Foundation
import DesmigCore

/// A new beneficiary's form: a returning worker by default (the Android app's `emptyInput`).
func emptyInput(villageCode: String) -> BeneficiaryInput {
    BeneficiaryInput(
        kind: .returningWorker, familyOf: nil, nik: nil, fullName: "", sex: .female, birthDate: nil,
        phone: nil, villageCode: villageCode, address: nil, lastCountry: nil, jobSectorAbroad: nil,
        yearsAbroad: nil, returnMonth: nil, savingsBand: nil, skills: [], networks: nil, dependants: 0,
        consentMethod: .signedForm
    )
}

extension BeneficiaryInput {
    /// The form of a registered beneficiary, to edit it.
    init(editing b: Beneficiary) {
        self.init(
            kind: b.kind, familyOf: b.familyOf, nik: b.nik, fullName: b.fullName, sex: b.sex,
            birthDate: b.birthDate, phone: b.phone, villageCode: b.villageCode, address: b.address,
            lastCountry: b.lastCountry, jobSectorAbroad: b.jobSectorAbroad, yearsAbroad: b.yearsAbroad,
            returnMonth: b.returnMonth, savingsBand: b.savingsBand, skills: b.skills, networks: b.networks,
            dependants: b.dependants, consentMethod: b.consentMethod
        )
    }
}

struct RegistrationState: Equatable {
    var input: BeneficiaryInput
    /// Skills as typed, comma-separated; they become `input.skills` when saving.
    var skillsText: String
    /// The worker a family member belongs to, by name, once picked.
    var familyOfName: String?
    var workerMatches: [BeneficiarySummary] = []
    var problems: FieldProblems = [:]
    var saved: Beneficiary?
    var busy = false
    var error: UiMessage?
}

/// The registration (and edit) form: core validates; every problem is shown by its field.
@MainActor
final class RegistrationViewModel: ObservableObject {
    @Published private(set) var state: RegistrationState
    let editing: String?
    private let store: FieldStore

    /// A new beneficiary in `villageCode`, or (with `editing`) a registered one.
    init(store: FieldStore, villageCode: String, editing: Beneficiary? = nil) {
        self.store = store
        self.editing = editing?.id
        let input = editing.map { BeneficiaryInput(editing: $0) } ?? emptyInput(villageCode: villageCode)
        state = RegistrationState(input: input, skillsText: input.skills.joined(separator: ", "))
    }

    func edit(_ change: (inout BeneficiaryInput) -> Void) {
        change(&state.input)
    }

    func editSkills(_ text: String) {
        state.skillsText = text
    }

    /// When editing a family member, the name of the worker they belong to.
    func load() async {
        guard let workerId = state.input.familyOf, state.familyOfName == nil else { return }
        let store = self.store
        if let file = try? await Core.run({ try store.beneficiaryFile(id: workerId) }) {
            state.familyOfName = file.beneficiary.fullName
        }
    }

    /// Returning workers matching `text`, to link a family member to one of them.
    func searchWorkers(_ text: String) async {
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            state.workerMatches = []
            return
        }
        let store = self.store
        let found = (try? await Core.run { try store.searchBeneficiaries(text: text, limit: 20) }) ?? []
        state.workerMatches = found.filter { $0.kind == .returningWorker }
    }

    func pickWorker(_ worker: BeneficiarySummary?) {
        state.input.familyOf = worker?.id
        state.familyOfName = worker?.fullName
        state.workerMatches = []
    }

    /// Saves through the core; false with every problem by its field when the core refuses.
    @discardableResult
    func save() async -> Bool {
        var input = state.input
        input.skills = state.skillsText
            .split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
        let finalInput = input
        let store = self.store
        let editing = self.editing
        state.busy = true
        do {
            let saved = try await Core.run { () throws -> Beneficiary in
                if let id = editing { return try store.updateBeneficiary(id: id, input: finalInput) }
                return try store.registerBeneficiary(input: finalInput)
            }
            state.busy = false
            state.saved = saved
            state.problems = [:]
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
}
