import SwiftUI
import DesmigCore

/// The supervisor's villages this month: indicators and visits waiting for verification.
struct TeamOverviewView: View {
    @ObservedObject var model: SupervisorViewModel

    var body: some View {
        List {
            if model.state.error != nil {
                Section { ErrorBanner(message: model.state.error) }
            }
            if model.state.villages.isEmpty && model.state.error == nil {
                EmptyRow("team_none")
            }
            if let total = model.state.total {
                Section {
                    IndicatorRows(indicators: total)
                } header: {
                    Text("supervisor_total")
                }
            }
            // The team by facilitator: who they are, how to call them, and their month.
            Section {
                if model.state.facilitators.isEmpty {
                    EmptyRow("team_facilitators_none")
                }
                ForEach(model.state.facilitators, id: \.userId) { facilitator in
                    FacilitatorRow(facilitator: facilitator)
                }
            } header: {
                Text("team_facilitators")
            }
            ForEach(model.state.villages, id: \.villageCode) { village in
                Section {
                    if village.visitsToVerify > 0 {
                        Label(L10n.format("team_visits_to_verify", [String(village.visitsToVerify)]), systemImage: "checkmark.seal")
                            .foregroundStyle(.orange)
                    }
                    IndicatorRows(indicators: village.indicators)
                } header: {
                    Text(village.villageName)
                }
            }
        }
        .navigationTitle(Text(L10n.format("team_title", [Format.month(model.state.month)])))
        .refreshable { await model.load() }
    }
}

/// One facilitator's month: name (or id), work phone to call, visits, people visited, visits to verify.
struct FacilitatorRow: View {
    let facilitator: FacilitatorOverview

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(facilitator.displayName.isEmpty ? facilitator.userId : facilitator.displayName).font(.headline)
            if let phone = facilitator.phone {
                PhoneLink(phone: phone)
            }
            ValueRow("facilitator_visits_this_month", String(facilitator.visitsThisMonth))
            ValueRow("facilitator_people_visited", String(facilitator.beneficiariesVisited))
            ValueRow("facilitator_to_verify", String(facilitator.visitsToVerify))
            ValueRow("facilitator_beneficiaries", String(facilitator.beneficiaries))
            if let last = facilitator.lastVisitAt {
                ValueRow("facilitator_last_visit", Format.timestamp(last))
            }
        }
        .padding(.vertical, 2)
    }
}

/// Completed visits waiting for the supervisor's verification; each opens read-only.
struct VisitsToVerifyView: View {
    @ObservedObject var model: SupervisorViewModel
    @EnvironmentObject private var session: SessionViewModel

    var body: some View {
        List {
            if model.state.error != nil {
                Section { ErrorBanner(message: model.state.error) }
            }
            if model.state.toVerify.isEmpty {
                EmptyRow("verify_none")
            }
            ForEach(model.state.toVerify, id: \.visit.id) { item in
                NavigationLink {
                    // Read before it is verified: the answers with their labels, notes, place.
                    VisitDetailView(store: session.session.store, visitId: item.visit.id)
                        .onDisappear { Task { await model.load() } }
                } label: {
                    VStack(alignment: .leading, spacing: 2) {
                        Text(item.beneficiaryName)
                        HStack(spacing: 8) {
                            Text(model.templateTitle(item.visit.templateId))
                            Text(Format.timestamp(item.visit.startedAt))
                            Text(L10n.format("completeness_percent", [String(item.visit.completeness)]))
                        }
                        .font(.caption)
                        .foregroundStyle(.secondary)
                    }
                }
            }
        }
        .navigationTitle(Text("verify_title"))
        .refreshable { await model.load() }
    }
}

/// Concurrent edits of the same field: the value kept and the one that lost, and the choice.
struct ConflictsView: View {
    @ObservedObject var model: SupervisorViewModel

    var body: some View {
        List {
            if model.state.error != nil {
                Section { ErrorBanner(message: model.state.error) }
            }
            if model.state.conflicts.isEmpty {
                EmptyRow("conflicts_none")
            }
            ForEach(model.state.conflicts, id: \.id) { conflict in
                Section {
                    // The field by its label and both values as a person reads them (the core's `Shown`).
                    ValueRow("conflict_field", conflict.fieldLabel)
                    ValueRow("conflict_current", conflict.current.displayText)
                    ValueRow("conflict_losing", conflict.losing.displayText)
                    HStack {
                        Button("conflict_keep_current") { Task { await model.resolve(conflict.id, .keepCurrent) } }
                            .buttonStyle(.bordered)
                        Spacer()
                        Button("conflict_take_losing") { Task { await model.resolve(conflict.id, .takeLosing) } }
                            .buttonStyle(.borderedProminent)
                    }
                } header: {
                    Text(conflict.beneficiaryName)
                } footer: {
                    Text(L10n.format("conflict_detected", [L10n.label("entity_", conflict.entity), Format.timestamp(conflict.detectedAt)]))
                }
            }
        }
        .navigationTitle(Text("conflicts_title"))
        .refreshable { await model.load() }
    }
}
