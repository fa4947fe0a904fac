import SwiftUI
import DesmigCore

/// A beneficiary's file: who they are, status cards (Prakerja, trainings, the capital pipeline,
/// business), follow-ups, visits, the history of status changes and their consent; starts a
/// visit. Once consent is withdrawn, a banner says since when and the actions that make new
/// records (a visit, a correction) are gone: the core refuses them.
struct BeneficiaryFileView: View {
    let store: FieldStore
    @EnvironmentObject private var sync: SyncViewModel
    @StateObject private var model: BeneficiaryFileViewModel
    @State private var choosingTemplate = false
    @State private var confirmingWithdrawal = false
    @State private var editing = false
    @State private var showNik = false
    @State private var moveRequest: MoveRequest?
    @State private var adding: AddRecord?
    @EnvironmentObject private var navigator: FacilitatorNavigator

    init(store: FieldStore, beneficiaryId: String) {
        self.store = store
        _model = StateObject(wrappedValue: BeneficiaryFileViewModel(store: store, beneficiaryId: beneficiaryId))
    }

    var body: some View {
        List {
            if model.state.error != nil {
                Section { ErrorBanner(message: model.state.error) }
            }
            if let at = model.state.consentWithdrawnAt {
                Section { ConsentWithdrawnBanner(withdrawnAt: at) }
            }
            if let file = model.state.file {
                person(file)
                Section("file_status") {
                    // The core's cards, in its order; each offers only the moves the core allows.
                    ForEach(model.state.cards, id: \.self) { card in
                        let edit = model.state.editable(card)
                        StatusCardView(
                            card: card,
                            canChange: model.state.canAddRecords,
                            canEdit: edit != nil,
                            onAction: { action in moveRequest = MoveRequest(card: card, action: action) },
                            onRecordSale: {
                                let product = file.businesses.first(where: { $0.id == card.subjectId })?.products.first ?? ""
                                adding = .sale(businessId: card.subjectId, product: product)
                            },
                            // The training's or business's form, filled in as stored.
                            onEdit: { adding = edit }
                        )
                    }
                    if model.state.canAddRecords {
                        addButtons
                    }
                }
                followUps(file)
                visits(file)
                history(file)
                consent(file)
            } else if model.state.error == nil {
                ProgressView().frame(maxWidth: .infinity)
            }
        }
        .navigationTitle(Text(model.state.file?.beneficiary.fullName ?? ""))
        .toolbar {
            ToolbarItem(placement: .primaryAction) {
                // No new visit once consent is withdrawn (nor before the file is loaded).
                if model.state.canAddRecords {
                    Button {
                        choosingTemplate = true
                    } label: {
                        Label("visit_start", systemImage: "square.and.pencil")
                    }
                    .disabled(model.state.templates.isEmpty)
                }
            }
            ToolbarItem(placement: .secondaryAction) {
                Button("registration_title_edit") { editing = true }
                    .disabled(model.state.file == nil)
            }
        }
        .confirmationDialog(Text("visit_choose_checklist"), isPresented: $choosingTemplate, titleVisibility: .visible) {
            ForEach(model.state.templates, id: \.id) { template in
                Button(template.title.localized) {
                    navigator.path.append(.newVisit(beneficiaryId: model.beneficiaryId, templateId: template.id))
                }
            }
        }
        .confirmationDialog(
            Text(L10n.format("withdraw_consent_title", [model.state.file?.beneficiary.fullName ?? ""])),
            isPresented: $confirmingWithdrawal,
            titleVisibility: .visible
        ) {
            Button("withdraw_consent_action", role: .destructive) {
                Task { await model.withdrawConsent() }
            }
            Button("action_cancel", role: .cancel) {}
        } message: {
            Text("withdraw_consent_message")
        }
        .sheet(isPresented: $editing, onDismiss: { Task { await model.load() } }) {
            if let beneficiary = model.state.file?.beneficiary {
                NavigationStack {
                    RegistrationView(store: store, editing: beneficiary)
                }
            }
        }
        .sheet(item: $moveRequest) { request in
            StatusMoveSheet(request: request, moves: model.moves)
        }
        .sheet(item: $adding, onDismiss: { Task { await model.load() } }) { add in
            addSheet(add)
        }
        .refreshable { await model.load() }
        .task { await model.load() }
        .onChange(of: sync.state.last) { _ in Task { await model.load() } }
    }

    // MARK: - Sections

    /// Adding a training, a capital application (by its source) or a business to the file.
    private var addButtons: some View {
        Group {
            Button { adding = .training } label: { Label("file_add_training", systemImage: "plus.circle") }
            Menu {
                ForEach(CapitalSource.choices, id: \.self) { source in
                    Button(source.label) { adding = .capital(source) }
                }
            } label: {
                Label("file_add_capital", systemImage: "plus.circle")
            }
            Button { adding = .business } label: { Label("file_add_business", systemImage: "plus.circle") }
        }
    }

    @ViewBuilder
    private func addSheet(_ add: AddRecord) -> some View {
        let id = model.beneficiaryId
        switch add {
        case .training:
            TrainingFormView(store: store, beneficiaryId: id, onSaved: {})
        case .capital(let source):
            CapitalFormView(store: store, beneficiaryId: id, source: source, businesses: model.state.file?.businesses ?? [], onSaved: {})
        case .business:
            BusinessFormView(store: store, beneficiaryId: id, onSaved: {})
        case .sale(let businessId, let product):
            SaleFormView(store: store, beneficiaryId: id, businessId: businessId, product: product, onSaved: {})
        case .editTraining(let training):
            TrainingFormView(store: store, editing: training, onSaved: {})
        case .editBusiness(let business):
            BusinessFormView(store: store, editing: business, onSaved: {})
        }
    }

    private func person(_ file: BeneficiaryFile) -> some View {
        let b = file.beneficiary
        return Section {
            ValueRow("field_kind", b.kind.label)
            ValueRow("field_village", file.villageName)
            if let nik = b.nik {
                LabeledContent {
                    Button {
                        showNik.toggle()
                    } label: {
                        Text(showNik ? nik : "••••••••••••••••").monospacedDigit()
                    }
                    .buttonStyle(.borderless)
                } label: {
                    Text("field_nik")
                }
            }
            ValueRow("field_sex", b.sex.label)
            if let birth = b.birthDate { ValueRow("field_birth_date", Format.day(birth)) }
            if let phone = b.phone { ValueRow("field_phone", phone) }
            if let country = b.lastCountry { ValueRow("field_last_country", Format.countryName(country)) }
        }
    }

    /// How and when consent was given; "withdraw consent" while it stands (confirmed first).
    private func consent(_ file: BeneficiaryFile) -> some View {
        let b = file.beneficiary
        return Section {
            Text(L10n.format("file_consent_given", [Format.timestamp(b.consentGivenAt), b.consentMethod.label]))
            if model.state.canWithdrawConsent {
                Button("withdraw_consent_action", role: .destructive) { confirmingWithdrawal = true }
            }
        } header: {
            Text("registration_section_consent")
        } footer: {
            if model.state.canWithdrawConsent {
                Text("file_consent_withdraw_hint")
            }
        }
    }

    @ViewBuilder
    private func followUps(_ file: BeneficiaryFile) -> some View {
        let open = file.followUps.filter { $0.doneOn == nil }
        Section("file_follow_ups") {
            if open.isEmpty {
                EmptyRow("follow_ups_none")
            }
            ForEach(open, id: \.id) { followUp in
                VStack(alignment: .leading, spacing: 2) {
                    Text(followUp.action)
                    Text(L10n.format("follow_up_due", [Format.day(followUp.dueDate)]))
                        .font(.caption).foregroundStyle(.secondary)
                }
            }
        }
    }

    private func visits(_ file: BeneficiaryFile) -> some View {
        Section("file_visits") {
            if file.visits.isEmpty {
                EmptyRow("visits_none")
            }
            ForEach(file.visits, id: \.id) { visit in
                NavigationLink(value: FacilitatorRoute.visit(visit)) {
                    VisitRow(visit: visit, title: title(of: visit))
                }
                .swipeActions {
                    if visit.status == .completed && model.state.canAddRecords {
                        Button("visit_amend") {
                            Task {
                                if let draft = await model.amend(visit) { navigator.path.append(.visit(draft)) }
                            }
                        }
                    }
                }
            }
        }
    }

    @ViewBuilder
    private func history(_ file: BeneficiaryFile) -> some View {
        if !file.history.isEmpty {
            Section("file_history") {
                ForEach(file.history, id: \.id) { change in
                    VStack(alignment: .leading, spacing: 2) {
                        Text(change.subject.label).font(.caption).foregroundStyle(.secondary)
                        Text(change.summary)
                        if let note = change.note { Text(note).font(.caption) }
                        Text(Format.timestamp(change.at)).font(.caption2).foregroundStyle(.secondary)
                    }
                }
            }
        }
    }

    private func title(of visit: Visit) -> String {
        model.state.templates.first(where: { $0.id == visit.templateId })?.title.localized ?? visit.templateId
    }
}

/// Since when the person has withdrawn consent, and what that means for the file.
struct ConsentWithdrawnBanner: View {
    let withdrawnAt: Int64

    var body: some View {
        Label {
            Text(L10n.format("file_consent_withdrawn", [Format.timestamp(withdrawnAt)]))
        } icon: {
            Image(systemName: "hand.raised.fill")
        }
        .font(.callout)
        .foregroundStyle(.red)
        .accessibilityElement(children: .combine)
    }
}

/// A visit in a list: its checklist, when, draft or completed, how complete, verified or not.
struct VisitRow: View {
    let visit: Visit
    let title: String

    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            Text(title)
            HStack(spacing: 8) {
                Text(Format.timestamp(visit.startedAt))
                Text(visit.status.label)
                Text(L10n.format("completeness_percent", [String(visit.completeness)]))
                if visit.verifiedAt != nil {
                    Label("visit_verified", systemImage: "checkmark.seal.fill").labelStyle(.iconOnly)
                }
            }
            .font(.caption)
            .foregroundStyle(.secondary)
        }
    }
}
