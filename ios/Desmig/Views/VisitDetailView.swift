import SwiftUI
import DesmigCore

/// A visit opened to be read: whose, which checklist, every answer with its label, notes and
/// place; verify (the district's supervisor) and amend (a completed visit) only when the core
/// offers them.
struct VisitDetailView: View {
    @StateObject private var model: VisitDetailViewModel
    /// Called with the draft an amendment opened, to continue in the visit form.
    var onAmended: (Visit) -> Void = { _ in }

    init(store: FieldStore, visitId: String, onAmended: @escaping (Visit) -> Void = { _ in }) {
        _model = StateObject(wrappedValue: VisitDetailViewModel(store: store, visitId: visitId))
        self.onAmended = onAmended
    }

    var body: some View {
        List {
            if model.error != nil {
                Section { ErrorBanner(message: model.error) }
            }
            if let v = model.view {
                Section {
                    VStack(alignment: .leading, spacing: 4) {
                        Text(v.beneficiaryName).font(.headline)
                        Text(v.villageName.isEmpty ? v.villageCode : v.villageName).font(.subheadline).foregroundStyle(.secondary)
                    }
                    LabeledContent("visit_detail_when", value: Format.timestamp(v.startedAt))
                    LabeledContent("visit_detail_status") {
                        Text(LocalizedStringKey(v.statusKey == "visit_completed" ? "visit_detail_completed" : "visit_detail_draft"))
                    }
                    LabeledContent("visit_detail_completeness", value: "\(v.completeness)%")
                    if let p = v.location {
                        LabeledContent("visit_detail_location", value: String(format: "%.5f, %.5f (±%.0f m)", p.lat, p.lon, p.accuracyM))
                    }
                    if let at = v.verifiedAt {
                        LabeledContent("visit_detail_verified", value: Format.timestamp(at))
                    }
                    if v.amends != nil {
                        Text("visit_detail_amends").font(.caption).foregroundStyle(.secondary)
                    }
                }
                Section("visit_detail_answers") {
                    ForEach(v.answers, id: \.itemId) { a in
                        VStack(alignment: .leading, spacing: 2) {
                            Text(a.label.localized).font(.caption).foregroundStyle(.secondary)
                            Text(Self.answerText(a))
                        }
                    }
                }
                if let notes = v.notes {
                    Section("visit_notes") { Text(notes) }
                }
            }
        }
        .navigationTitle(model.view?.templateTitle.localized ?? "")
        .toolbar {
            if model.view?.canVerify == true {
                ToolbarItem(placement: .confirmationAction) {
                    Button("verify_action") { Task { await model.verify() } }
                }
            }
            if model.view?.canAmend == true {
                ToolbarItem(placement: .secondaryAction) {
                    Button("visit_amend") {
                        Task { if let draft = await model.amend() { onAmended(draft) } }
                    }
                }
            }
        }
        .task { await model.load() }
        .refreshable { await model.load() }
    }

    /// An answer in words: yes/no and choices from their labels, amounts in rupiah, dates in the
    /// core's words, others as recorded.
    static func answerText(_ a: AnswerLine) -> String {
        if let yes = a.yes { return String(localized: yes ? "answer_yes" : "answer_no") }
        if !a.choices.isEmpty { return a.choices.map(\.localized).joined(separator: ", ") }
        if a.kind == .rupiah, let v = a.value, let amount = Int64(v) { return Format.rupiah(amount) }
        if a.kind == .date, let v = a.value { return Format.day(v) }
        return a.value ?? ""
    }
}
