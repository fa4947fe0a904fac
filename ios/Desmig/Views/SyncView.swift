import SwiftUI
import DesmigCore

/// What waits to be sent, what the server refused, a sync with its progress, and how the last
/// one ended, in words; the bundles to carry changes without signal; the account, to log in
/// again or sign out.
struct SyncView: View {
    @EnvironmentObject private var session: SessionViewModel
    @EnvironmentObject private var sync: SyncViewModel
    @State private var loggingIn = false
    @State private var confirmingSignOut = false

    var body: some View {
        List {
            Section {
                ValueRow("sync_pending", String(sync.state.pending))
                ValueRow("sync_rejected", String(sync.state.rejected))
            } footer: {
                Text("sync_pending_hint")
            }

            Section {
                if sync.state.running {
                    progress
                    Button("sync_cancel", role: .cancel) { sync.cancel() }
                } else {
                    Button {
                        Task { await sync.syncNow() }
                    } label: {
                        Label("sync_now", systemImage: "arrow.triangle.2.circlepath")
                    }
                }
                if let error = sync.state.error {
                    ErrorBanner(message: error)
                }
                if sync.state.needsLogin {
                    Button("sync_login_again") { loggingIn = true }
                }
            }

            // Without signal: the changes as a file for a phone that will reach coverage, and
            // the files others give this phone (store-and-forward bundles).
            Section {
                NavigationLink {
                    BundlesView(store: session.session.store)
                } label: {
                    Label("bundles_open", systemImage: "shippingbox")
                }
            } footer: {
                Text("bundles_open_hint")
            }

            if let last = sync.state.last {
                lastResult(last)
            }

            if !sync.state.rejectedChanges.isEmpty {
                Section("sync_rejected_title") {
                    ForEach(sync.state.rejectedChanges, id: \.opId) { change in
                        VStack(alignment: .leading, spacing: 2) {
                            Text(L10n.label("entity_", change.entity)).font(.subheadline)
                            // Why, in words, from the core's typed reason; the server's own detail below it.
                            Text(change.reasonMessage.text).font(.callout)
                            if !change.message.isEmpty {
                                Text(change.message).font(.caption).foregroundStyle(.secondary)
                            }
                            Text(Format.timestamp(change.createdAt)).font(.caption2).foregroundStyle(.secondary)
                        }
                    }
                }
            }

            Section("account_title") {
                if let identity = session.identity {
                    ValueRow("account_name", identity.displayName)
                    ValueRow("account_role", identity.role.label)
                }
                Button("account_sign_out", role: .destructive) { confirmingSignOut = true }
            }
        }
        .navigationTitle(Text("sync_title"))
        .task { await sync.load() }
        .refreshable { await sync.load() }
        .sheet(isPresented: $loggingIn) {
            LoginView(session: session.session) {
                sync.loginDone()
                loggingIn = false
                await session.refresh()
            }
        }
        .confirmationDialog(Text("account_sign_out_confirm"), isPresented: $confirmingSignOut, titleVisibility: .visible) {
            Button("account_sign_out", role: .destructive) { Task { await session.signOut() } }
        } message: {
            if sync.state.pending > 0 {
                Text(L10n.format("account_sign_out_pending", [String(sync.state.pending)]))
            }
        }
    }

    @ViewBuilder
    private var progress: some View {
        if let p = sync.state.progress {
            VStack(alignment: .leading, spacing: 4) {
                if let fraction = sync.fraction(p) {
                    ProgressView(value: fraction)
                } else {
                    ProgressView()
                }
                Text(phaseText(p)).font(.caption)
                Text(L10n.format("sync_bytes", [bytes(p.bytesSent), bytes(p.bytesReceived)]))
                    .font(.caption2).foregroundStyle(.secondary)
            }
        } else {
            HStack {
                ProgressView()
                Text("sync_connecting")
            }
        }
    }

    private func phaseText(_ p: SyncProgress) -> String {
        switch p.phase {
        case .pushing: return L10n.format("sync_phase_pushing", [String(p.done), String(p.total)])
        case .pulling: return L10n.format("sync_phase_pulling", [String(p.done)])
        case .done: return L10n.string("sync_phase_done")
        }
    }

    private func lastResult(_ last: SyncReport) -> some View {
        Section("sync_last_title") {
            ValueRow("sync_last_when", Format.timestamp(last.finishedAt))
            Text(last.errorCode == nil ? L10n.string("sync_last_ok") : L10n.string("sync_last_failed"))
                .foregroundStyle(last.errorCode == nil ? Color.green : Color.red)
            ValueRow("sync_last_sent", String(last.pushed))
            ValueRow("sync_last_received", String(last.pulled))
            if last.rejected > 0 {
                ValueRow("sync_last_rejected", String(last.rejected))
            }
            ValueRow("sync_last_data", L10n.format("sync_bytes", [bytes(last.bytesSent), bytes(last.bytesReceived)]))
        }
    }

    private func bytes(_ count: UInt64) -> String {
        ByteCountFormatter.string(fromByteCount: Int64(clamping: count), countStyle: .file)
    }
}
