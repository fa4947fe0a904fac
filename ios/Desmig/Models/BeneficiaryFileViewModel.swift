import Foundation
import DesmigCore

struct BeneficiaryFileState: Equatable {
    var file: BeneficiaryFile?
    /// The core's status cards: Prakerja, each training, each capital application, each business,
    /// with their lines, warnings and the moves each allows.
    var cards: [StatusCard] = []
    /// The checklists a visit can follow (the newest version of each).
    var templates: [ChecklistTemplate] = []
    var error: UiMessage?

    /// When the person withdrew consent (Unix milliseconds, as the core recorded it), or nil.
    var consentWithdrawnAt: Int64? { file?.beneficiary.consentWithdrawnAt }

    /// Whether the screen offers new records for the person (a visit, a correction). After a
    /// withdrawal it does not: the core refuses them (`consent_withdrawn`).
    var canAddRecords: Bool { file != nil && consentWithdrawnAt == nil }

    /// Whether "withdraw consent" is offered: once, while consent stands.
    var canWithdrawConsent: Bool { file != nil && consentWithdrawnAt == nil }

    /// What `card` offers to edit beyond its status (a training's or a business's details, in
    /// their forms), found in the file by the card's `subjectId`: nil for other cards, for a
    /// record the file does not hold, and once new records may not be made.
    func editable(_ card: StatusCard) -> AddRecord? {
        guard canAddRecords, let file else { return nil }
        switch card.kind {
        case .training: return file.trainings.first(where: { $0.id == card.subjectId }).map(AddRecord.editTraining)
        case .business: return file.businesses.first(where: { $0.id == card.subjectId }).map(AddRecord.editBusiness)
        case .prakerja, .capital: return nil
        }
    }
}

/// A beneficiary's file: the core's status cards (Prakerja, trainings, the capital pipeline,
/// business), visits and follow-ups. `moves` records a card's move and reloads the file.
@MainActor
final class BeneficiaryFileViewModel: ObservableObject {
    @Published private(set) var state = BeneficiaryFileState()
    let beneficiaryId: String
    private let store: FieldStore

    /// A move of one of the file's cards; after a save the file and its cards are read again.
    let moves: StatusMoveViewModel

    init(store: FieldStore, beneficiaryId: String) {
        self.store = store
        self.beneficiaryId = beneficiaryId
        self.moves = StatusMoveViewModel(store: store, beneficiaryId: beneficiaryId)
        moves.onSaved = { [weak self] in await self?.load() }
    }

    func load() async {
        let store = self.store
        let id = beneficiaryId
        do {
            let (file, cards, templates) = try await Core.run {
                try (store.beneficiaryFile(id: id), store.statusCards(beneficiaryId: id), store.templates())
            }
            state.file = file
            state.cards = cards
            state.templates = templates
            state.error = nil
        } catch {
            state.error = uiMessage(for: error)
        }
    }

    /// The person withdraws consent (after the user confirmed it in the view): the core stamps the
    /// moment and refuses new records for them from then on, here and on the server. The file is
    /// reloaded. False when the core refused (the error says why).
    @discardableResult
    func withdrawConsent() async -> Bool {
        guard state.canWithdrawConsent else { return false }
        let store = self.store
        let id = beneficiaryId
        do {
            _ = try await Core.run { try store.withdrawConsent(id: id) }
            await load()
            return true
        } catch {
            state.error = uiMessage(for: error)
            return false
        }
    }

    /// A correction of a completed visit: the core makes a new draft and keeps the original.
    func amend(_ visit: Visit) async -> Visit? {
        let store = self.store
        do {
            let draft = try await Core.run { try store.amendVisit(visitId: visit.id) }
            await load()
            return draft
        } catch {
            state.error = uiMessage(for: error)
            return nil
        }
    }
}
