import SwiftUI
import DesmigCore

/// "My status" for a returning worker: their facilitator (to call), their trainings, Kartu
/// Prakerja, each capital application with the stages it went through, their businesses and the
/// next steps agreed with the facilitator. Read-only; the core shows a worker nothing but their
/// own record.
struct WorkerStatusView: View {
    @EnvironmentObject private var session: SessionViewModel
    @EnvironmentObject private var sync: SyncViewModel
    @StateObject private var model: WorkerStatusViewModel

    init(store: FieldStore) {
        _model = StateObject(wrappedValue: WorkerStatusViewModel(store: store))
    }

    var body: some View {
        List {
            if model.state.error != nil {
                Section {
                    ErrorBanner(message: model.state.error)
                    if model.state.status == nil { Text("worker_status_sync_first").font(.callout) }
                }
            }
            if let status = model.state.status {
                Section {
                    ValueRow("field_village", status.villageName)
                    if let since = status.beneficiary.returnMonth {
                        ValueRow("field_return_month", Format.month(since))
                    }
                }
                facilitators(status.facilitators)
                nextSteps(status)
                prakerja(status.prakerja)
                trainings(status.trainings)
                capital(status.capital)
                businesses(status.businesses)
            }
        }
        .navigationTitle(Text(model.state.status?.beneficiary.fullName ?? session.identity?.displayName ?? ""))
        .refreshable { await model.load() }
        .task { await model.load() }
        .onChange(of: sync.state.last) { _ in Task { await model.load() } }
    }

    /// Who to ask: the facilitators of the worker's village, with their work phone (`tel:`).
    private func facilitators(_ people: [Person]) -> some View {
        Section("worker_facilitator") {
            if people.isEmpty {
                EmptyRow("worker_facilitator_none")
            }
            ForEach(people, id: \.userId) { person in
                VStack(alignment: .leading, spacing: 4) {
                    Text(person.displayName.isEmpty ? person.userId : person.displayName).font(.headline)
                    Text(person.role.label).font(.caption).foregroundStyle(.secondary)
                    if let phone = person.phone {
                        PhoneLink(phone: phone)
                    }
                }
            }
        }
    }

    private func nextSteps(_ status: WorkerStatus) -> some View {
        Section("worker_next_steps") {
            if status.nextSteps.isEmpty {
                EmptyRow("worker_next_steps_none")
            }
            ForEach(status.nextSteps, id: \.id) { step in
                VStack(alignment: .leading, spacing: 2) {
                    Text(step.action)
                    Text(L10n.format("follow_up_due", [Format.day(step.dueDate)]))
                        .font(.caption).foregroundStyle(.secondary)
                }
            }
        }
    }

    private func prakerja(_ prakerja: Prakerja?) -> some View {
        Section("card_prakerja") {
            if let prakerja {
                Text(prakerja.stage.label).font(.headline)
                if let wave = prakerja.wave {
                    Text(L10n.format("detail_wave", [String(wave)]))
                }
                if let deadline = prakerja.purchaseDeadline {
                    Text(L10n.format("detail_deadline", [Format.day(deadline)]))
                }
                if let certificate = prakerja.certificateNo {
                    ValueRow("prakerja_certificate", certificate)
                }
                if prakerja.incentiveInstalments > 0 || prakerja.incentiveReceived > 0 {
                    ValueRow("prakerja_incentive_received", Format.rupiah(prakerja.incentiveReceived))
                    ValueRow("prakerja_incentive_instalments", String(prakerja.incentiveInstalments))
                }
            } else {
                Text("prakerja_none")
            }
        }
    }

    private func trainings(_ trainings: [Training]) -> some View {
        Section("card_trainings") {
            if trainings.isEmpty {
                EmptyRow("trainings_none")
            }
            ForEach(trainings, id: \.id) { training in
                VStack(alignment: .leading, spacing: 2) {
                    Text(training.title)
                    Text(verbatim: "\(training.provider) · \(training.mode.label)").font(.caption).foregroundStyle(.secondary)
                    Text(training.status.label).font(.subheadline)
                    if let certificate = training.certificateNo {
                        Text(L10n.format("training_certificate", [certificate])).font(.caption)
                    }
                }
            }
        }
    }

    private func capital(_ applications: [CapitalProgress]) -> some View {
        Section("card_capital") {
            if applications.isEmpty {
                EmptyRow("capital_none")
            }
            ForEach(applications, id: \.application.id) { progress in
                CapitalProgressView(progress: progress)
            }
        }
    }

    @ViewBuilder
    private func businesses(_ businesses: [Business]) -> some View {
        if !businesses.isEmpty {
            Section("card_business") {
                ForEach(businesses, id: \.id) { business in
                    VStack(alignment: .leading, spacing: 2) {
                        Text(business.name)
                        Text(business.status.label).font(.subheadline)
                        if let revenue = business.monthlyRevenue {
                            Text(L10n.format("detail_revenue", [Format.rupiah(revenue)])).font(.caption)
                        }
                    }
                }
            }
        }
    }
}

/// One capital application: where it comes from, how much, where it stands, and its history.
struct CapitalProgressView: View {
    let progress: CapitalProgress

    var body: some View {
        let a = progress.application
        VStack(alignment: .leading, spacing: 4) {
            Text(a.source.label + (a.bank.map { " · " + $0.label } ?? "")).font(.caption).foregroundStyle(.secondary)
            Text(a.stage.label).font(.headline)
            Text(L10n.format("detail_requested", [Format.rupiah(a.amountRequested)]))
            if let approved = a.amountApproved {
                Text(L10n.format("detail_approved", [Format.rupiah(approved)]))
            }
            if let disbursed = a.amountDisbursed {
                Text(L10n.format("detail_disbursed", [Format.rupiah(disbursed)]))
            }
            if let reason = a.rejectionReason {
                Text(L10n.format("capital_rejection_reason", [reason])).foregroundStyle(.red)
            }
            if !progress.history.isEmpty {
                Text("capital_history").font(.caption.weight(.semibold)).padding(.top, 4)
                ForEach(progress.history, id: \.id) { change in
                    HStack(alignment: .firstTextBaseline) {
                        Text(Format.timestamp(change.at)).font(.caption2).foregroundStyle(.secondary)
                        VStack(alignment: .leading) {
                            Text(change.summary).font(.caption)
                            if let note = change.note { Text(note).font(.caption2).foregroundStyle(.secondary) }
                        }
                    }
                }
            }
        }
        .padding(.vertical, 2)
    }
}
