import SwiftUI
import DesmigCore

/// Where a facilitator goes from the list.
enum FacilitatorRoute: Hashable {
    case beneficiary(id: String)
    case village(Region)
    case newVisit(beneficiaryId: String, templateId: String)
    case visit(Visit)
}

/// The facilitator's navigation stack, so that a screen can open another (a new visit).
@MainActor
final class FacilitatorNavigator: ObservableObject {
    @Published var path: [FacilitatorRoute] = []
}

/// The facilitator's villages and the chosen village's beneficiaries, with search by name or NIK.
struct BeneficiaryListView: View {
    let store: FieldStore
    @EnvironmentObject private var sync: SyncViewModel
    @EnvironmentObject private var navigator: FacilitatorNavigator
    @StateObject private var model: BeneficiaryListViewModel
    @State private var query = ""
    @State private var searchTask: Task<Void, Never>?
    @State private var registering = false

    init(store: FieldStore) {
        self.store = store
        _model = StateObject(wrappedValue: BeneficiaryListViewModel(store: store))
    }

    var body: some View {
        List {
            if model.state.error != nil {
                Section { ErrorBanner(message: model.state.error) }
            }
            if let village = model.state.village {
                Section {
                    if model.state.villages.count > 1 {
                        Picker("villages_choose", selection: Binding(
                            get: { village },
                            set: { newVillage in Task { await model.selectVillage(newVillage) } }
                        )) {
                            ForEach(model.state.villages, id: \.code) { region in
                                Text(region.name).tag(region)
                            }
                        }
                    }
                    NavigationLink(value: FacilitatorRoute.village(village)) {
                        Label("village_indicators_link", systemImage: "chart.bar")
                    }
                }
            } else if model.state.villages.isEmpty && model.state.error == nil {
                EmptyRow("villages_none")
            }

            Section {
                ForEach(model.state.items, id: \.id) { person in
                    NavigationLink(value: FacilitatorRoute.beneficiary(id: person.id)) {
                        BeneficiaryRow(person: person)
                    }
                    .onAppear {
                        if person.id == model.state.items.last?.id { Task { await model.loadMore() } }
                    }
                }
                if model.state.loading {
                    ProgressView().frame(maxWidth: .infinity)
                } else if model.state.items.isEmpty && model.state.village != nil {
                    EmptyRow(model.state.query.isEmpty ? "beneficiaries_none" : "search_none")
                }
            } header: {
                if model.state.query.isEmpty {
                    Text(model.state.village?.name ?? "")
                } else {
                    Text("search_results")
                }
            }
        }
        .navigationTitle(Text("beneficiaries_title"))
        .searchable(text: $query, prompt: Text("search_prompt"))
        .onChange(of: query) { text in
            searchTask?.cancel()
            searchTask = Task {
                try? await Task.sleep(nanoseconds: 300_000_000)
                guard !Task.isCancelled else { return }
                await model.search(text)
            }
        }
        .toolbar {
            ToolbarItem(placement: .primaryAction) {
                Button {
                    registering = true
                } label: {
                    Label("register_action", systemImage: "person.badge.plus")
                }
                .disabled(model.state.village == nil)
            }
        }
        .sheet(isPresented: $registering, onDismiss: { Task { await model.refresh() } }) {
            if let village = model.state.village {
                NavigationStack {
                    RegistrationView(store: store, village: village)
                }
            }
        }
        .navigationDestination(for: FacilitatorRoute.self) { route in
            switch route {
            case .beneficiary(let id):
                BeneficiaryFileView(store: store, beneficiaryId: id)
            case .village(let region):
                VillageView(store: store, village: region)
            case .newVisit(let beneficiaryId, let templateId):
                VisitFormView(store: store, start: .new(beneficiaryId: beneficiaryId, templateId: templateId))
            case .visit(let visit):
                if visit.status == .completed {
                    // A completed visit opens read-only, with amend when the core offers it.
                    VisitDetailView(store: store, visitId: visit.id) { draft in navigator.path.append(.visit(draft)) }
                } else {
                    VisitFormView(store: store, start: .existing(visit))
                }
            }
        }
        .refreshable { await model.load() }
        .task { if model.state.villages.isEmpty { await model.load() } }
        .onChange(of: sync.state.last) { _ in Task { await model.load() } }
    }
}

/// One beneficiary in a list: the name, the masked NIK (masked by the core), the kind.
struct BeneficiaryRow: View {
    let person: BeneficiarySummary

    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            Text(person.fullName).font(.body)
            HStack(spacing: 8) {
                if let nik = person.maskedNik {
                    Text(nik).monospacedDigit()
                }
                Text(person.kind.label)
            }
            .font(.caption)
            .foregroundStyle(.secondary)
        }
    }
}
