import SwiftUI
import UIKit
import UniformTypeIdentifiers
import DesmigCore

extension UTType {
    /// A desmig bundle file (`desmig-<id>.desmig`), declared in Info.plist
    /// (`UTExportedTypeDeclarations` in project.yml).
    static let desmigBundle = UTType(exportedAs: "id.go.kemnaker.desmig.bundle", conformingTo: .data)
}

/// Store-and-forward without signal: export the changes waiting on this phone as one file to
/// give to a phone that will reach coverage, import the files others give this phone, share a
/// bundle again, and the bundles waiting, sent and acknowledged, and carried for others.
struct BundlesView: View {
    @EnvironmentObject private var sync: SyncViewModel
    @StateObject private var model: BundlesViewModel
    @State private var importing = false

    init(store: FieldStore) {
        _model = StateObject(wrappedValue: BundlesViewModel(store: store))
    }

    var body: some View {
        List {
            Section {
                Button {
                    Task { await model.export() }
                } label: {
                    Label("bundles_export", systemImage: "square.and.arrow.up")
                }
                Button {
                    importing = true
                } label: {
                    Label("bundles_import", systemImage: "square.and.arrow.down")
                }
                if model.state.working {
                    ProgressView().frame(maxWidth: .infinity)
                }
                if let error = model.state.error {
                    ErrorBanner(message: error)
                }
            } footer: {
                Text("bundles_explanation")
            }
            .disabled(model.state.working)

            if !model.state.notices.isEmpty {
                Section {
                    ForEach(model.state.notices) { notice in
                        NoticeRow(notice: notice)
                    }
                    Button("bundles_notices_dismiss") { model.dismissNotices() }
                        .font(.callout)
                } header: {
                    Text("bundles_notices_title")
                }
            }

            if model.state.loaded && model.state.groups.isEmpty {
                Section { EmptyRow("bundles_none") }
            }
            groupSections(model.state.groups)

            if !model.state.deviceId.isEmpty {
                Section {
                    Text(L10n.format("bundles_phone_code", [BundlesViewModel.phoneCode(model.state.deviceId)]))
                } footer: {
                    Text("bundles_phone_code_hint")
                }
            }
        }
        .navigationTitle(Text("bundles_title"))
        .task { await model.load() }
        .refreshable { await model.load() }
        // A sync delivers the bundles carried here and brings back the answers to hand on.
        .onChange(of: sync.state.last) { _ in Task { await model.load() } }
        // `.item` as well: a file received through a messaging app may arrive without its
        // `.desmig` extension and would be hidden from a picker of that type only. The core
        // refuses anything that is not a bundle (`bundle_malformed`).
        .fileImporter(isPresented: $importing, allowedContentTypes: [.desmigBundle, .item], allowsMultipleSelection: true) { result in
            Task {
                await model.importPicked(result)
                // A receipt clears the outbox; news changes the records: the counts move.
                await sync.load()
            }
        }
        .sheet(item: Binding(get: { model.state.sharing }, set: { if $0 == nil { model.shareDone() } })) { shared in
            ShareSheet(items: [shared.url]) { model.shareDone() }
                .presentationDetents([.medium, .large])
                .ignoresSafeArea()
        }
    }

    /// The groups, in the Android app's order: this phone's own, then what it carries, then
    /// what it opened.
    @ViewBuilder
    private func groupSections(_ groups: BundleGroups) -> some View {
        section("bundles_group_waiting", groups.waiting, footer: "bundles_group_waiting_hint")
        section("bundles_group_acknowledged", groups.acknowledged)
        section("bundles_group_to_deliver", groups.toDeliver, footer: "bundles_group_to_deliver_hint")
        section("bundles_group_to_hand_on", groups.toHandOn, footer: "bundles_group_to_hand_on_hint")
        section("bundles_group_delivered", groups.delivered)
        section("bundles_group_refused", groups.refused)
        section("bundles_group_received", groups.received)
    }

    /// One group of bundles as a section, left out when it is empty.
    @ViewBuilder
    private func section(_ title: LocalizedStringKey, _ entries: [BundleEntry], footer: LocalizedStringKey? = nil) -> some View {
        if !entries.isEmpty {
            Section {
                ForEach(entries, id: \.bundleId) { entry in
                    BundleRow(entry: entry) { Task { await model.shareAgain(entry) } }
                        .disabled(model.state.working)
                }
            } header: {
                Text(title)
            } footer: {
                if let footer { Text(footer) }
            }
        }
    }
}

/// One bundle: what it holds, for which phone (the server's answers carried for another),
/// why the server refused it, when it last changed, and "share again" while it is on its way.
private struct BundleRow: View {
    let entry: BundleEntry
    let shareAgain: () -> Void

    var body: some View {
        VStack(alignment: .leading, spacing: 3) {
            Text(entry.kind.countText(entry.count)).font(.subheadline)
            // A carried receipt or news is for the phone that made the bundle it answers (its
            // code, as that phone's screen shows it); other bundles are for the server.
            if entry.role == "carried", let phone = entry.peerPhone {
                Text(L10n.format("bundles_for_phone", [phone])).font(.caption)
            }
            if entry.state == "refused" {
                if let message = entry.refusalMessage {
                    Text(message.text).font(.callout).foregroundStyle(.red)
                }
                if let note = entry.note, !note.isEmpty {
                    Text(L10n.format("bundle_refused_note", [note])).font(.caption).foregroundStyle(.secondary)
                }
            }
            Text(Format.timestamp(entry.updatedAt)).font(.caption2).foregroundStyle(.secondary)
            if entry.canShareAgain {
                Button(action: shareAgain) {
                    Label("bundles_share", systemImage: "square.and.arrow.up")
                }
                .buttonStyle(.borderless)
                .font(.callout)
            }
        }
        .padding(.vertical, 2)
    }
}

/// What an export or one imported file did, or why the core refused the file.
private struct NoticeRow: View {
    let notice: BundleNotice

    var body: some View {
        Label {
            VStack(alignment: .leading, spacing: 2) {
                if let name = notice.fileName {
                    Text(name).font(.caption).foregroundStyle(.secondary)
                }
                Text(notice.message.text)
            }
        } icon: {
            Image(systemName: notice.ok ? "checkmark.circle.fill" : "xmark.octagon.fill")
                .foregroundStyle(notice.ok ? Color.green : Color.red)
        }
        .font(.callout)
        .accessibilityElement(children: .combine)
    }
}

/// The system share sheet (AirDrop, Nearby, a chat app, Save to Files) for a bundle file.
struct ShareSheet: UIViewControllerRepresentable {
    let items: [Any]
    /// Called when the sheet finishes, shared or not.
    let onDone: () -> Void

    func makeUIViewController(context: Context) -> UIActivityViewController {
        let controller = UIActivityViewController(activityItems: items, applicationActivities: nil)
        controller.completionWithItemsHandler = { _, _, _, _ in onDone() }
        return controller
    }

    func updateUIViewController(_ controller: UIActivityViewController, context: Context) {}
}
