import Foundation
import DesmigCore

/// One status card of a beneficiary's file: a title key, the status in words, and details.
/// The same cards as the Android app's `StatusCard`, with each detail as a message.
struct StatusCard: Hashable {
    let title: String
    let status: UiMessage
    let detail: [UiMessage]
}

struct BeneficiaryFileState: Equatable {
    var file: BeneficiaryFile?
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
}

/// A beneficiary's file: status cards for Prakerja, trainings, the capital pipeline, business;
/// visits and follow-ups.
@MainActor
final class BeneficiaryFileViewModel: ObservableObject {
    @Published private(set) var state = BeneficiaryFileState()
    let beneficiaryId: String
    private let store: FieldStore

    init(store: FieldStore, beneficiaryId: String) {
        self.store = store
        self.beneficiaryId = beneficiaryId
    }

    func load() async {
        let store = self.store
        let id = beneficiaryId
        do {
            let (file, templates) = try await Core.run { try (store.beneficiaryFile(id: id), store.templates()) }
            state.file = file
            state.cards = Self.cards(of: file)
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

    static func cards(of f: BeneficiaryFile) -> [StatusCard] {
        var cards: [StatusCard] = []

        var prakerjaDetail: [UiMessage] = []
        if let wave = f.prakerja?.wave { prakerjaDetail.append(UiMessage("detail_wave", [String(wave)])) }
        if let deadline = f.prakerja?.purchaseDeadline {
            prakerjaDetail.append(UiMessage("detail_deadline", [Format.day(deadline)]))
        }
        cards.append(StatusCard(
            title: "card_prakerja",
            status: UiMessage(f.prakerja.map { "prakerja_" + $0.stage.code } ?? "prakerja_none"),
            detail: prakerjaDetail
        ))

        cards.append(StatusCard(
            title: "card_trainings",
            status: f.trainings.isEmpty ? UiMessage("trainings_none") : UiMessage("trainings_count", [String(f.trainings.count)]),
            detail: f.trainings.map { UiMessage("detail_training", [$0.title, $0.status.label]) }
        ))

        for c in f.capitalApplications {
            var detail = [UiMessage("detail_source", [c.source.label]), UiMessage("detail_requested", [Format.rupiah(c.amountRequested)])]
            if let bank = c.bank { detail.append(UiMessage("detail_bank", [bank.label])) }
            if let disbursed = c.amountDisbursed { detail.append(UiMessage("detail_disbursed", [Format.rupiah(disbursed)])) }
            cards.append(StatusCard(title: "card_capital", status: UiMessage("capital_" + c.stage.code), detail: detail))
        }

        for b in f.businesses {
            var detail = [UiMessage("detail_text", [b.name])]
            if let revenue = b.monthlyRevenue { detail.append(UiMessage("detail_revenue", [Format.rupiah(revenue)])) }
            cards.append(StatusCard(title: "card_business", status: UiMessage("business_" + b.status.code), detail: detail))
        }
        return cards
    }
}
