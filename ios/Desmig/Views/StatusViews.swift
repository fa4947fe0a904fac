import SwiftUI
import DesmigCore

// The status cards of a beneficiary's file as the core makes them, their moves, and the forms
// that add a training, capital, a business or a sale. The same flows as the Android app's
// BeneficiaryFileScreen and StatusFormScreens.

/// One of the core's status cards: what it is about, where it stands, its lines and warnings,
/// and a button for each move the core offers (none when the status is final). A business card
/// offers recording a sale; a training or business card offers editing its record (`canEdit`).
struct StatusCardView: View {
    let card: StatusCard
    let canChange: Bool
    var canEdit = false
    var onAction: (CardAction) -> Void = { _ in }
    var onRecordSale: () -> Void = {}
    var onEdit: () -> Void = {}

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(CardText.key(card.titleKey)).font(.caption).foregroundStyle(.secondary)
            if let title = card.title { Text(title).font(.subheadline.weight(.semibold)) }
            Text(CardText.key(card.stageKey)).font(.headline)
            ForEach(Array(card.lines.enumerated()), id: \.offset) { _, line in
                Text(CardText.line(line)).font(.subheadline)
            }
            ForEach(card.warnings, id: \.self) { warning in
                Label(CardText.key(warning), systemImage: "exclamationmark.triangle.fill")
                    .font(.subheadline)
                    .foregroundStyle(.red)
            }
            if canChange && (!card.actions.isEmpty || card.kind == .business || canEdit) {
                // Buttons inside a List row: with a bordered style each one takes only its own taps.
                VStack(alignment: .leading, spacing: 6) {
                    ForEach(card.actions, id: \.stageKey) { action in
                        Button(L10n.format("action_move_to", [CardText.key(action.stageKey)])) { onAction(action) }
                            .buttonStyle(.bordered)
                    }
                    if card.kind == .business {
                        Button("file_record_sale", action: onRecordSale).buttonStyle(.borderedProminent)
                    }
                    if canEdit {
                        Button(action: onEdit) { Label("action_edit", systemImage: "pencil") }.buttonStyle(.bordered)
                    }
                }
                .padding(.top, 4)
            }
        }
        .padding(.vertical, 2)
    }
}

/// A move the user asked for from a card: the sheet opens it with the core.
struct MoveRequest: Identifiable {
    let card: StatusCard
    let action: CardAction
    var id: String { "\(card.kind):\(card.subjectId):\(action.stageKey)" }
}

/// What the file's add buttons (and a card's edit button) open.
enum AddRecord: Identifiable {
    case training
    case capital(CapitalSource)
    case business
    case sale(businessId: String, product: String)
    /// One of the file's trainings or businesses, as stored, to edit beyond its status.
    case editTraining(Training)
    case editBusiness(Business)

    var id: String {
        switch self {
        case .training: return "training"
        case .capital(let s): return "capital:" + s.code
        case .business: return "business"
        case .sale(let b, _): return "sale:" + b
        case .editTraining(let t): return "training:" + t.id
        case .editBusiness(let b): return "business:" + b.id
        }
    }
}

/// A text field of a form with the core's problems for it underneath.
struct FormTextField: View {
    let title: LocalizedStringKey
    @Binding var text: String
    var problems: [FieldError]?
    var keyboard: UIKeyboardType = .default

    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            TextField(title, text: $text).keyboardType(keyboard)
            ProblemsText(problems: problems)
        }
    }
}

/// The move of one card to the stage the user picked: the inputs that stage records (by the
/// core's field names, each with the core's problems), a note, and the core's refusal if any.
struct StatusMoveSheet: View {
    let request: MoveRequest
    @ObservedObject var moves: StatusMoveViewModel
    @Environment(\.dismiss) private var dismiss

    var body: some View {
        NavigationStack {
            Form {
                if let conflict = moves.conflict {
                    Section { Text(L10n.format("move_refused", [conflict])).foregroundStyle(.red) }
                } else if moves.error != nil {
                    Section { ErrorBanner(message: moves.error) }
                }
                if let move = moves.move {
                    Section {
                        Text(L10n.format("move_from", [CardText.key(move.fromKey)])).foregroundStyle(.secondary)
                        // Problems with fields this sheet does not show (the core may name others).
                        ForEach(moves.problems.keys.filter { !move.fieldNames.contains($0) }.sorted(), id: \.self) { field in
                            ForEach(Array((moves.problems[field] ?? []).enumerated()), id: \.offset) { _, p in
                                Text("\(CardText.field(field)): \(p.localized)").foregroundStyle(.red).font(.footnote)
                            }
                        }
                        if move.fields.isEmpty { Text("move_no_fields").font(.footnote) }
                        if move.fields.contains(where: \.required) { Text("move_required_hint").font(.footnote) }
                        ForEach(move.fields, id: \.name) { field in fieldRow(field) }
                    }
                    Section {
                        TextField("move_note", text: Binding(get: { moves.move?.note ?? "" }, set: { moves.move?.note = $0 }), axis: .vertical)
                    }
                } else if moves.error == nil {
                    ProgressView().frame(maxWidth: .infinity)
                }
            }
            .navigationTitle(Text(L10n.format("move_title", [CardText.key(request.action.stageKey)])))
            .navigationBarTitleDisplayMode(.inline)
            .toolbar {
                ToolbarItem(placement: .cancellationAction) {
                    Button("action_cancel") {
                        moves.cancel()
                        dismiss()
                    }
                }
                ToolbarItem(placement: .confirmationAction) {
                    Button("action_save") {
                        Task { if await moves.save() { dismiss() } }
                    }
                    .disabled(moves.move == nil)
                }
            }
        }
        .task { await moves.start(request.card, request.action) }
    }

    /// One field of the move, in the control the core says it takes (`kind`), marked * when the
    /// core requires it; a choice offers the core's options and keeps the chosen one's value.
    private func fieldRow(_ field: MoveField) -> some View {
        let name = field.name
        let binding = Binding<String>(get: { moves.move?.values[name] ?? "" }, set: { moves.move?.values[name] = $0 })
        let title = LocalizedStringKey(name == MoveFieldName.incentiveReceived ? "field_incentive_instalment" : "field_" + name)
        return HStack(alignment: .firstTextBaseline) {
            VStack(alignment: .leading, spacing: 2) {
                switch field.kind {
                case .date:
                    OptionalDateField(title: title, value: Binding(get: { binding.wrappedValue.isEmpty ? nil : binding.wrappedValue }, set: { binding.wrappedValue = $0 ?? "" }))
                    ProblemsText(problems: moves.problems[name])
                case .rupiah, .integer:
                    FormTextField(title: title, text: binding, problems: moves.problems[name], keyboard: .numberPad)
                case .text:
                    FormTextField(title: title, text: binding, problems: moves.problems[name])
                case .choice:
                    Picker(title, selection: binding) {
                        if !field.required { Text("choice_none").tag("") }
                        ForEach(field.options, id: \.value) { option in Text(option.label).tag(option.value) }
                    }
                    ProblemsText(problems: moves.problems[name])
                }
            }
            if field.required {
                Text("*").foregroundStyle(.red).accessibilityLabel(Text("item_required"))
            }
        }
    }
}

/// Problems the core named for fields a form does not show.
private struct OtherProblems: View {
    let problems: FieldProblems
    let shown: Set<String>

    var body: some View {
        ForEach(problems.keys.filter { !shown.contains($0) }.sorted(), id: \.self) { field in
            ForEach(Array((problems[field] ?? []).enumerated()), id: \.offset) { _, p in
                Text("\(CardText.field(field)): \(p.localized)").foregroundStyle(.red).font(.footnote)
            }
        }
    }
}

/// A form sheet's frame: the core's message, problems with fields not shown, Cancel and Save.
private struct RecordFormFrame<Record, Content: View>: View {
    let title: LocalizedStringKey
    @ObservedObject var model: RecordFormViewModel<Record>
    let shown: Set<String>
    let onSaved: () -> Void
    @ViewBuilder let content: () -> Content
    @Environment(\.dismiss) private var dismiss

    var body: some View {
        NavigationStack {
            Form {
                if model.error != nil {
                    Section {
                        ErrorBanner(message: model.error)
                        OtherProblems(problems: model.problems, shown: shown)
                    }
                }
                content()
            }
            .navigationTitle(Text(title))
            .navigationBarTitleDisplayMode(.inline)
            .toolbar {
                ToolbarItem(placement: .cancellationAction) { Button("action_cancel") { dismiss() } }
                ToolbarItem(placement: .confirmationAction) {
                    Button("action_save") {
                        Task {
                            if await model.save() {
                                onSaved()
                                dismiss()
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Rupiah typed as digits (dots ignored); 0 or nil for none.
private func rupiahBinding(_ get: @escaping () -> Int64?, _ set: @escaping (Int64?) -> Void) -> Binding<String> {
    Binding(get: { get().map { String($0) } ?? "" }, set: { set(parseWholeNumber($0)) })
}

struct TrainingFormView: View {
    @StateObject private var model: RecordFormViewModel<Training>
    let onSaved: () -> Void

    init(store: FieldStore, beneficiaryId: String, onSaved: @escaping () -> Void) {
        _model = StateObject(wrappedValue: .training(store: store, beneficiaryId: beneficiaryId))
        self.onSaved = onSaved
    }

    /// One of the file's trainings, as stored, to edit (its status moves on its card).
    init(store: FieldStore, editing training: Training, onSaved: @escaping () -> Void) {
        _model = StateObject(wrappedValue: .training(store: store, editing: training))
        self.onSaved = onSaved
    }

    var body: some View {
        let p = model.problems
        // Problems with fields not shown (the status, when editing) show at the top.
        let shown: Set<String> = model.editing
            ? ["title", "provider", "kind", "mode", "start_date", "end_date", "certificate_no"]
            : ["title", "provider", "kind", "mode", "start_date", "end_date", "status", "certificate_no"]
        RecordFormFrame(
            title: model.editing ? "training_edit_title" : "training_form_title", model: model,
            shown: shown, onSaved: onSaved
        ) {
            Section {
                FormTextField(title: "field_training_title", text: $model.input.title, problems: p["title"])
                FormTextField(title: "field_provider", text: $model.input.provider, problems: p["provider"])
                Picker("field_training_kind", selection: $model.input.kind) {
                    ForEach(TrainingKind.choices, id: \.self) { Text($0.label).tag($0) }
                }
                Picker("field_training_mode", selection: $model.input.mode) {
                    ForEach(TrainingMode.choices, id: \.self) { Text($0.label).tag($0) }
                }
                Toggle("field_via_prakerja", isOn: $model.input.viaPrakerja)
                OptionalDateField(title: "field_start_date", value: $model.input.startDate)
                ProblemsText(problems: p["start_date"])
                OptionalDateField(title: "field_end_date", value: $model.input.endDate)
                ProblemsText(problems: p["end_date"])
                // A new training already under way or finished is recorded as it stands; later steps
                // (and every step of one being edited) are moves on its card.
                if !model.editing {
                    Picker("field_stage", selection: Binding(get: { model.input.status }, set: { status in
                        model.input.status = status
                        if status != .completed { model.input.certificateNo = nil }
                    })) {
                        ForEach(TrainingStatus.all, id: \.self) { Text($0.label).tag($0) }
                    }
                }
                if model.input.status == .completed {
                    FormTextField(
                        title: "field_certificate_no",
                        text: Binding(get: { model.input.certificateNo ?? "" }, set: { model.input.certificateNo = $0.isEmpty ? nil : $0 }),
                        problems: p["certificate_no"]
                    )
                }
            }
        }
    }
}

struct CapitalFormView: View {
    @StateObject private var model: RecordFormViewModel<CapitalApplication>
    let businesses: [Business]
    let onSaved: () -> Void

    init(store: FieldStore, beneficiaryId: String, source: CapitalSource, businesses: [Business], onSaved: @escaping () -> Void) {
        _model = StateObject(wrappedValue: .capital(store: store, beneficiaryId: beneficiaryId, source: source))
        self.businesses = businesses
        self.onSaved = onSaved
    }

    var body: some View {
        let p = model.problems
        RecordFormFrame(
            title: "capital_form_title", model: model,
            shown: ["source", "amount_requested", "purpose", "business_id", "bank", "kur_scheme"], onSaved: onSaved
        ) {
            Section {
                Picker("field_capital_source", selection: Binding(get: { model.input.source }, set: { model.selectSource($0) })) {
                    ForEach(CapitalSource.choices, id: \.self) { Text($0.label).tag($0) }
                }
            } footer: {
                // Loan or grant, as the core says: a loan is repaid, a grant used and reported.
                Text(LocalizedStringKey(model.isLoan ? "capital_form_loan" : "capital_form_grant"))
            }
            if model.asksBankAndScheme {
                Section {
                    Picker("field_bank", selection: $model.input.bank) {
                        Text("choice_none").tag(Bank?.none)
                        ForEach(Bank.choices, id: \.self) { Text($0.label).tag(Bank?.some($0)) }
                    }
                    ProblemsText(problems: p["bank"])
                    Picker("field_kur_scheme", selection: $model.input.kurScheme) {
                        Text("choice_none").tag(KurScheme?.none)
                        ForEach(KurScheme.choices, id: \.self) { Text($0.label).tag(KurScheme?.some($0)) }
                    }
                    ProblemsText(problems: p["kur_scheme"])
                }
            }
            Section {
                FormTextField(
                    title: "field_amount_requested",
                    text: rupiahBinding({ model.input.amountRequested > 0 ? model.input.amountRequested : nil }, { model.input.amountRequested = $0 ?? 0 }),
                    problems: p["amount_requested"], keyboard: .numberPad
                )
                FormTextField(
                    title: "field_purpose",
                    text: Binding(get: { model.input.purpose ?? "" }, set: { model.input.purpose = $0.isEmpty ? nil : $0 }),
                    problems: p["purpose"]
                )
                if !businesses.isEmpty {
                    Picker("field_business", selection: $model.input.businessId) {
                        Text("choice_none").tag(String?.none)
                        ForEach(businesses, id: \.id) { Text($0.name).tag(String?.some($0.id)) }
                    }
                }
            }
        }
    }
}

struct BusinessFormView: View {
    @StateObject private var model: RecordFormViewModel<Business>
    @State private var productsText: String
    let onSaved: () -> Void

    init(store: FieldStore, beneficiaryId: String, onSaved: @escaping () -> Void) {
        _model = StateObject(wrappedValue: .business(store: store, beneficiaryId: beneficiaryId))
        _productsText = State(initialValue: "")
        self.onSaved = onSaved
    }

    /// One of the file's businesses, as stored, to edit (its status moves on its card).
    init(store: FieldStore, editing business: Business, onSaved: @escaping () -> Void) {
        _model = StateObject(wrappedValue: .business(store: store, editing: business))
        _productsText = State(initialValue: business.products.joined(separator: ", "))
        self.onSaved = onSaved
    }

    var body: some View {
        let p = model.problems
        let shown: Set<String> = model.editing
            ? ["name", "sector", "started_on", "monthly_revenue", "workers", "products", "sales_channels"]
            : ["name", "sector", "status", "started_on", "monthly_revenue", "workers", "products", "sales_channels"]
        RecordFormFrame(
            title: model.editing ? "business_edit_title" : "business_form_title", model: model,
            shown: shown, onSaved: onSaved
        ) {
            Section {
                FormTextField(title: "field_business_name", text: $model.input.name, problems: p["name"])
                Picker("field_business_sector", selection: $model.input.sector) {
                    ForEach(BusinessSector.choices, id: \.self) { Text($0.label).tag($0) }
                }
                // A new business starts where it stands; a stored one's status moves on its card.
                if !model.editing {
                    Picker("field_stage", selection: $model.input.status) {
                        ForEach(BusinessStatus.all, id: \.self) { Text($0.label).tag($0) }
                    }
                }
                OptionalDateField(title: "field_started_on", value: $model.input.startedOn)
                ProblemsText(problems: p["started_on"])
                FormTextField(
                    title: "field_monthly_revenue",
                    text: rupiahBinding({ model.input.monthlyRevenue }, { model.input.monthlyRevenue = $0 }),
                    problems: p["monthly_revenue"], keyboard: .numberPad
                )
                FormTextField(
                    title: "field_workers",
                    text: Binding(
                        get: { model.input.workers > 0 ? String(model.input.workers) : "" },
                        set: { model.input.workers = UInt32(clamping: parseWholeNumber($0) ?? 0) }
                    ),
                    problems: p["workers"], keyboard: .numberPad
                )
                FormTextField(
                    title: "field_products",
                    text: Binding(get: { productsText }, set: { text in
                        productsText = text
                        model.input.products = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    }),
                    problems: p["products"]
                )
                Toggle("field_export_ready", isOn: $model.input.exportReady)
            }
            Section("field_sales_channels") {
                ForEach(SalesChannel.choices, id: \.self) { channel in
                    Toggle(channel.label, isOn: Binding(
                        get: { model.input.salesChannels.contains(channel) },
                        set: { model.toggleChannel(channel, $0) }
                    ))
                }
                ProblemsText(problems: p["sales_channels"])
            }
        }
    }
}

struct SaleFormView: View {
    @StateObject private var model: RecordFormViewModel<ProductSale>
    @State private var quantityText = ""
    let onSaved: () -> Void

    init(store: FieldStore, beneficiaryId: String, businessId: String, product: String, onSaved: @escaping () -> Void) {
        _model = StateObject(wrappedValue: .sale(store: store, beneficiaryId: beneficiaryId, businessId: businessId, product: product))
        self.onSaved = onSaved
    }

    var body: some View {
        let p = model.problems
        RecordFormFrame(
            title: "sale_form_title", model: model,
            shown: ["sold_on", "product", "quantity", "unit", "market", "export_country", "buyer", "revenue"], onSaved: onSaved
        ) {
            Section {
                OptionalDateField(title: "field_sold_on", value: Binding(get: { model.input.soldOn }, set: { model.input.soldOn = $0 ?? "" }))
                ProblemsText(problems: p["sold_on"])
                FormTextField(title: "field_product", text: $model.input.product, problems: p["product"])
                // Typed as text (`1,5`); the core gets the number, or 0 (which it refuses) when it is none.
                FormTextField(
                    title: "field_quantity",
                    text: Binding(get: { quantityText }, set: { text in
                        quantityText = text
                        model.input.quantity = parseQuantity(text) ?? 0
                    }),
                    problems: p["quantity"], keyboard: .decimalPad
                )
                FormTextField(title: "field_unit", text: $model.input.unit, problems: p["unit"])
            }
            Section {
                Picker("field_market", selection: Binding(get: { model.input.market }, set: { model.selectMarket($0) })) {
                    ForEach(SaleMarket.choices, id: \.self) { Text($0.label).tag($0) }
                }
                if model.asksExportCountry {
                    CountryPicker(
                        title: "field_export_country",
                        code: Binding(get: { model.input.exportCountry }, set: { model.input.exportCountry = $0 }),
                        allowsNone: false
                    )
                    ProblemsText(problems: p["export_country"])
                }
                FormTextField(
                    title: "field_buyer",
                    text: Binding(get: { model.input.buyer ?? "" }, set: { model.input.buyer = $0.isEmpty ? nil : $0 }),
                    problems: p["buyer"]
                )
                FormTextField(
                    title: "field_revenue",
                    text: rupiahBinding({ model.input.revenue > 0 ? model.input.revenue : nil }, { model.input.revenue = $0 ?? 0 }),
                    problems: p["revenue"], keyboard: .numberPad
                )
            }
        }
    }
}
