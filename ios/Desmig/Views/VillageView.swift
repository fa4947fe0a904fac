import SwiftUI
import DesmigCore

/// A village's indicators this month (counted by the core) and the follow-ups due this week.
struct VillageView: View {
    @EnvironmentObject private var sync: SyncViewModel
    @StateObject private var model: VillageViewModel

    init(store: FieldStore, village: Region) {
        _model = StateObject(wrappedValue: VillageViewModel(store: store, village: village))
    }

    var body: some View {
        List {
            if model.state.error != nil {
                Section { ErrorBanner(message: model.state.error) }
            }
            if let indicators = model.state.indicators {
                Section {
                    IndicatorRows(indicators: indicators)
                } header: {
                    Text(L10n.format("indicators_month", [Format.month(model.state.month)]))
                }
            }
            Section {
                if model.state.followUps.isEmpty {
                    EmptyRow("follow_ups_due_none")
                }
                ForEach(model.state.followUps, id: \.followUp.id) { due in
                    NavigationLink(value: FacilitatorRoute.beneficiary(id: due.followUp.beneficiaryId)) {
                        DueFollowUpRow(due: due)
                    }
                    .swipeActions {
                        Button("follow_up_mark_done") {
                            Task { await model.markDone(due.followUp.id) }
                        }
                        .tint(.green)
                    }
                }
            } header: {
                Text("follow_ups_due_title")
            } footer: {
                Text("follow_ups_due_hint")
            }
        }
        .navigationTitle(Text(model.state.villageName))
        .refreshable { await model.load() }
        .task { await model.load() }
        .onChange(of: sync.state.last) { _ in Task { await model.load() } }
    }
}

/// A village's indicators, as the core counted them.
struct IndicatorRows: View {
    let indicators: VillageIndicators

    var body: some View {
        ValueRow("indicator_beneficiaries", String(indicators.beneficiaries))
        ValueRow("indicator_trained", String(indicators.trained))
        ValueRow("indicator_prakerja_incentive", String(indicators.prakerjaIncentiveReceived))
        ValueRow("indicator_capital_disbursed", String(indicators.capitalDisbursedCount))
        ValueRow("indicator_capital_disbursed_rupiah", Format.rupiah(indicators.capitalDisbursedRupiah))
        ValueRow("indicator_running_businesses", String(indicators.runningBusinesses))
        ValueRow("indicator_visits_this_month", String(indicators.visitsThisMonth))
        ValueRow("indicator_selling_beyond_village", String(indicators.businessesSellingBeyondVillage))
        ValueRow("indicator_exporting", String(indicators.businessesExporting))
        ValueRow("indicator_sales_this_month", Format.rupiah(indicators.salesRevenueThisMonth))
        // Capital that reached people, source by source: count and rupiah.
        ForEach(indicators.capitalBySource, id: \.source) { c in
            ValueRow(LocalizedStringKey(c.source.label), "\(c.count) · \(Format.rupiah(c.rupiah))")
        }
    }
}

/// A follow-up that is due: what, for whom, when, and how late.
struct DueFollowUpRow: View {
    let due: DueFollowUp

    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            Text(due.followUp.action)
            Text(due.beneficiaryName).font(.subheadline)
            HStack(spacing: 8) {
                Text(L10n.format("follow_up_due", [Format.day(due.followUp.dueDate)]))
                if due.daysOverdue > 0 {
                    Text(L10n.format("follow_up_overdue_days", [String(due.daysOverdue)]))
                        .foregroundStyle(.red)
                }
            }
            .font(.caption)
            .foregroundStyle(.secondary)
        }
    }
}
