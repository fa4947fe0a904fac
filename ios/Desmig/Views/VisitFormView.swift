import SwiftUI
import DesmigCore

/// How a visit form opens: a new visit of a checklist, or a visit already stored.
enum VisitStart: Hashable {
    case new(beneficiaryId: String, templateId: String)
    case existing(Visit)
}

/// A visit form rendered from its checklist template. Only the items the core says are visible
/// are shown; problems, completeness and the rules of completion all come from the core.
struct VisitFormView: View {
    @Environment(\.dismiss) private var dismiss
    @StateObject private var model: VisitFormViewModel
    @StateObject private var location = LocationProvider()
    @State private var newAction = ""
    @State private var newDueDate = Date()
    private let start: VisitStart

    init(store: FieldStore, start: VisitStart) {
        self.start = start
        _model = StateObject(wrappedValue: VisitFormViewModel(store: store))
    }

    private var readOnly: Bool { model.state.completed }

    var body: some View {
        Form {
            if model.state.error != nil {
                Section { ErrorBanner(message: model.state.error) }
            }
            if let template = model.state.template {
                header(template)
                Section {
                    ForEach(model.state.items, id: \.id) { item in
                        VStack(alignment: .leading, spacing: 6) {
                            ChecklistItemView(
                                item: item,
                                value: model.state.answers[item.id],
                                readOnly: readOnly,
                                onChange: { model.answer(item.id, $0) }
                            )
                            ProblemsText(problems: model.state.problems[item.id])
                        }
                        .padding(.vertical, 2)
                    }
                }
                notes
                if !readOnly { followUps }
            } else if model.state.error == nil {
                HStack {
                    ProgressView()
                    Text("visit_preparing")
                }
            }
        }
        .scrollDismissesKeyboard(.interactively)
        .navigationTitle(Text(model.state.template?.title.localized ?? ""))
        .navigationBarTitleDisplayMode(.inline)
        .toolbar {
            ToolbarItemGroup(placement: .bottomBar) {
                if !readOnly && model.state.visit != nil {
                    Button("visit_save_draft") { Task { await model.saveDraft() } }
                        .disabled(model.state.busy)
                    Spacer()
                    Button {
                        Task {
                            if await model.complete() { dismiss() }
                        }
                    } label: {
                        Text("visit_complete").bold()
                    }
                    .disabled(model.state.busy)
                }
            }
        }
        .task { await begin() }
    }

    private func begin() async {
        guard model.state.visit == nil else { return }
        switch start {
        case .new(let beneficiaryId, let templateId):
            let point = await location.currentLocation()
            await model.start(beneficiaryId: beneficiaryId, templateId: templateId, location: point)
        case .existing(let visit):
            await model.open(visit)
        }
    }

    // MARK: - Parts

    private func header(_ template: ChecklistTemplate) -> some View {
        Section {
            Text(template.description.localized).font(.callout).foregroundStyle(.secondary)
            VStack(alignment: .leading, spacing: 4) {
                ProgressView(value: Double(model.state.completeness), total: 100)
                Text(L10n.format("completeness_percent", [String(model.state.completeness)]))
                    .font(.caption).foregroundStyle(.secondary)
            }
            if readOnly {
                Label("visit_completed_read_only", systemImage: "checkmark.circle.fill").foregroundStyle(.green)
            } else if model.state.saved {
                Label("visit_draft_saved", systemImage: "tray.and.arrow.down").foregroundStyle(.secondary)
            }
        }
    }

    private var notes: some View {
        Section("visit_notes") {
            TextField(
                "visit_notes_placeholder",
                text: Binding(get: { model.state.notes }, set: { model.editNotes($0) }),
                axis: .vertical
            )
            .lineLimit(3...8)
            .disabled(readOnly)
        }
    }

    private var followUps: some View {
        Section {
            ForEach(Array(model.state.followUps.enumerated()), id: \.offset) { index, followUp in
                VStack(alignment: .leading, spacing: 2) {
                    Text(followUp.action)
                    Text(L10n.format("follow_up_due", [Format.day(followUp.dueDate)]))
                        .font(.caption).foregroundStyle(.secondary)
                }
                .swipeActions {
                    Button("action_remove", role: .destructive) { model.removeFollowUp(at: index) }
                }
            }
            TextField("follow_up_action", text: $newAction, axis: .vertical)
            DatePicker("follow_up_due_date", selection: $newDueDate, displayedComponents: .date)
            Button("follow_up_add") {
                model.addFollowUp(action: newAction, dueDate: Format.isoDate(newDueDate))
                newAction = ""
            }
            .disabled(newAction.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        } header: {
            Text("visit_follow_ups")
        } footer: {
            Text("visit_follow_ups_hint")
        }
    }
}

/// One checklist item, as its kind asks: yes/no, one or several options, a number or an amount
/// of rupiah, a text, a date. Labels are the template's, in the device's language.
struct ChecklistItemView: View {
    let item: ChecklistItem
    let value: AnswerValue?
    let readOnly: Bool
    let onChange: (AnswerValue?) -> Void

    var body: some View {
        VStack(alignment: .leading, spacing: 6) {
            HStack(alignment: .firstTextBaseline, spacing: 4) {
                Text(item.label.localized).font(.body.weight(.medium))
                if item.required {
                    Text("*").foregroundStyle(.red).accessibilityLabel(Text("item_required"))
                }
            }
            if let help = item.help {
                Text(help.localized).font(.caption).foregroundStyle(.secondary)
            }
            input.disabled(readOnly)
        }
    }

    @ViewBuilder
    private var input: some View {
        switch item.kind {
        case .yesNo:
            Picker(item.label.localized, selection: Binding<Bool?>(
                get: { if case .yesNo(let yes) = value { return yes } else { return nil } },
                set: { onChange($0.map { AnswerValue.yesNo(value: $0) }) }
            )) {
                Text("answer_yes").tag(Optional(true))
                Text("answer_no").tag(Optional(false))
            }
            .pickerStyle(.segmented)
            .labelsHidden()
        case .singleChoice:
            Picker(item.label.localized, selection: Binding<String?>(
                get: { if case .choice(let code) = value { return code } else { return nil } },
                set: { onChange($0.map { AnswerValue.choice(value: $0) }) }
            )) {
                Text("choice_none").tag(nil as String?)
                ForEach(item.options, id: \.value) { option in
                    Text(option.label.localized).tag(Optional(option.value))
                }
            }
            .pickerStyle(.menu)
            .labelsHidden()
        case .multiChoice:
            let chosen: [String] = { if case .choices(let codes) = value { return codes } else { return [] } }()
            ForEach(item.options, id: \.value) { option in
                Button {
                    let next = chosen.contains(option.value)
                        ? chosen.filter { $0 != option.value }
                        : chosen + [option.value]
                    onChange(next.isEmpty ? nil : .choices(values: next))
                } label: {
                    HStack(alignment: .firstTextBaseline) {
                        Image(systemName: chosen.contains(option.value) ? "checkmark.square.fill" : "square")
                        Text(option.label.localized).multilineTextAlignment(.leading)
                    }
                }
                .buttonStyle(.borderless)
            }
        case .integer, .rupiah:
            NumberAnswerField(item: item, value: value, onChange: onChange)
        case .text:
            TextField(
                "answer_text_placeholder",
                text: Binding<String>(
                    get: { if case .text(let text) = value { return text } else { return "" } },
                    set: { onChange($0.isEmpty ? nil : .text(value: $0)) }
                ),
                axis: .vertical
            )
        case .date:
            OptionalDateField(
                title: "answer_date",
                value: Binding<String?>(
                    get: { if case .date(let day) = value { return day } else { return nil } },
                    set: { onChange($0.map { AnswerValue.date(value: $0) }) }
                )
            )
        }
    }
}

/// A whole number, or an amount of rupiah (digits only, shown grouped underneath).
struct NumberAnswerField: View {
    let item: ChecklistItem
    let value: AnswerValue?
    let onChange: (AnswerValue?) -> Void
    @State private var text = ""

    private var current: Int64? {
        if case .number(let n) = value { return n }
        return nil
    }

    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            TextField(LocalizedStringKey(item.kind == .rupiah ? "answer_rupiah_placeholder" : "answer_number_placeholder"), text: $text)
                .keyboardType(item.kind == .rupiah ? .numberPad : .numbersAndPunctuation)
                .monospacedDigit()
                .onChange(of: text) { typed in
                    let cleaned = typed.filter { $0.isNumber || $0 == "-" }
                    if cleaned.isEmpty {
                        onChange(nil)
                    } else if let number = Int64(cleaned) {
                        if number != current { onChange(.number(value: number)) }
                    }
                }
            if item.kind == .rupiah, let amount = current {
                Text(Format.rupiah(amount)).font(.caption).foregroundStyle(.secondary)
            }
        }
        .onAppear {
            if let current, Int64(text.filter { $0.isNumber || $0 == "-" }) != current { text = String(current) }
        }
    }
}
