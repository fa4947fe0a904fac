import Foundation
import DesmigCore

/// The bundles this phone made, carries or opened (`FieldStore.bundles`, newest first), in the
/// groups the screen shows, in the order of the core's `BundleGroup` (the core decides a bundle's
/// group from its role and state).
struct BundleGroups: Equatable {
    /// Made here (sent), waiting until the server's receipt comes back.
    var waiting: [BundleEntry] = []
    /// Made here, answered by the server's receipt: its changes left the outbox.
    var acknowledged: [BundleEntry] = []
    /// Another phone's changes, delivered to the server at this phone's next sync.
    var toDeliver: [BundleEntry] = []
    /// The server's receipt or news for another phone (`peer`), to hand back to it.
    var toHandOn: [BundleEntry] = []
    /// Carried and delivered: the server's answer is in `toHandOn`.
    var delivered: [BundleEntry] = []
    /// Carried and refused by the server, with its reason (`note`).
    var refused: [BundleEntry] = []
    /// This phone's own receipts and news, opened and applied here.
    var received: [BundleEntry] = []

    init() {}

    init(_ entries: [BundleEntry]) {
        for entry in entries {
            // The core decides where a bundle stands.
            switch entry.group {
            case .waiting: waiting.append(entry)
            case .acknowledged: acknowledged.append(entry)
            case .toDeliver: toDeliver.append(entry)
            case .toHandOn: toHandOn.append(entry)
            case .delivered: delivered.append(entry)
            case .refused: refused.append(entry)
            case .received: received.append(entry)
            }
        }
    }

    var isEmpty: Bool {
        waiting.isEmpty && acknowledged.isEmpty && toDeliver.isEmpty && toHandOn.isEmpty
            && refused.isEmpty && delivered.isEmpty && received.isEmpty
    }
}

/// What one export or one imported file did: the file's name (for an import) and, in words,
/// the outcome or why the core refused it, with the refusal's typed code.
struct BundleNotice: Hashable, Identifiable {
    let id = UUID()
    /// The imported file's name; nil for an export.
    var fileName: String?
    var message: UiMessage
    /// The core's code when it refused (`bundle_damaged`, `bundle_own`, …); nil when it worked.
    var refusal: Code?

    var ok: Bool { refusal == nil }
}

/// A bundle file written for the share sheet.
struct SharedBundle: Identifiable, Equatable {
    /// The bundle's id.
    let id: String
    let url: URL
}

struct BundlesState: Equatable {
    var groups = BundleGroups()
    var loaded = false
    /// An export, an import or a file being written for sharing.
    var working = false
    /// This phone's device id, as carriers see it (`peer` of what they hand on to it).
    var deviceId = ""
    /// What the last export or import did, one notice per file.
    var notices: [BundleNotice] = []
    /// Why the list could not be read, a bundle not be made or a file not be shared.
    var error: UiMessage?
    /// The file to share now (the share sheet shows while it is set).
    var sharing: SharedBundle?
}

/// Store-and-forward (the Android app's bundles state holder): export the pending changes as one
/// sealed, signed file to share with a phone that will reach coverage; import the files others
/// give this phone (their changes to deliver at its next sync, the server's answers to hand
/// on, or this phone's own receipt and news, applied at once); share a bundle again; and the
/// list of bundles waiting, sent and acknowledged, and carried. Every rule is the core's.
@MainActor
final class BundlesViewModel: ObservableObject {
    @Published private(set) var state = BundlesState()
    private let store: FieldStore

    init(store: FieldStore) {
        self.store = store
    }

    /// Reads the bundles (after launch, an export, an import, a sync).
    func load() async {
        let store = self.store
        do {
            let (entries, deviceId) = try await Core.run { try (store.bundles(), store.deviceId()) }
            state.groups = BundleGroups(entries)
            state.deviceId = deviceId
            state.loaded = true
        } catch {
            state.error = uiMessage(for: error)
        }
    }

    /// Seals the pending changes into one file and opens the share sheet with it. The changes
    /// stay waiting on this phone until the server's receipt (or a direct sync) answers them.
    func export() async {
        guard !state.working else { return }
        state.working = true
        state.error = nil
        let store = self.store
        do {
            let (exported, url) = try await Core.run { () throws -> (ExportedBundle, URL) in
                let exported = try store.exportBundle()
                let url = try BundleFiles.writeForSharing(exported.file, bundleId: exported.bundleId)
                return (exported, url)
            }
            state.notices = [BundleNotice(message: Self.exportedMessage(exported))]
            state.sharing = SharedBundle(id: exported.bundleId, url: url)
        } catch {
            // `no_server_keys`: never signed in while online, so there is no key to seal to.
            state.notices = []
            state.error = BundleFiles.message(for: error)
        }
        state.working = false
        await load()
    }

    /// Shares the file of a bundle made or carried here again: to another carrier, or back to
    /// the phone a server's answer is for.
    func shareAgain(_ entry: BundleEntry) async {
        guard !state.working else { return }
        state.working = true
        state.error = nil
        let store = self.store
        let bundleId = entry.bundleId
        do {
            let url = try await Core.run { () throws -> URL in
                let file = try store.bundleFile(bundleId: bundleId)
                return try BundleFiles.writeForSharing(file, bundleId: bundleId)
            }
            state.sharing = SharedBundle(id: bundleId, url: url)
        } catch {
            state.error = BundleFiles.message(for: error)
        }
        state.working = false
    }

    /// The share sheet closed (shared or not). The file stays until the next one is written.
    func shareDone() {
        state.sharing = nil
    }

    /// What the file importer picked: each file is imported in turn, each with its own notice.
    func importPicked(_ result: Result<[URL], Error>) async {
        switch result {
        case .success(let urls):
            await importFiles(urls)
        case .failure(let error):
            state.error = UiMessage("bundles_file_unreadable", [error.localizedDescription])
        }
    }

    /// Imports bundle files (from the Files app, AirDrop, a USB stick): each is read under
    /// its security-scoped access and given to the core, which keeps, applies or refuses it.
    /// A refused file changes nothing; the others are still imported.
    func importFiles(_ urls: [URL]) async {
        guard !state.working, !urls.isEmpty else { return }
        state.working = true
        state.error = nil
        var notices: [BundleNotice] = []
        let store = self.store
        for url in urls {
            do {
                let imported = try await Core.run { () throws -> ImportedBundle in
                    let file = try BundleFiles.read(url)
                    return try store.importBundle(file: file)
                }
                notices.append(BundleNotice(fileName: url.lastPathComponent, message: Self.outcomeMessage(imported)))
            } catch {
                notices.append(BundleNotice(
                    fileName: url.lastPathComponent,
                    message: BundleFiles.message(for: error),
                    refusal: (error as? BundleFileError)?.code ?? typedCode(of: error) ?? .other
                ))
            }
        }
        state.notices = notices
        state.working = false
        await load()
    }

    /// Forgets the notices of the last export or import.
    func dismissNotices() {
        state.notices = []
    }

    /// A device id as a short code to compare by eye, the same as the Android app's
    /// `phoneCode`: its last six characters. (The id is a UUIDv7, whose first characters are
    /// the time it was made, alike for phones set up together; the last are random.)
    nonisolated static func phoneCode(_ deviceId: String) -> String {
        String(deviceId.suffix(6)).uppercased()
    }

    nonisolated static func exportedMessage(_ exported: ExportedBundle) -> UiMessage {
        // With nothing pending the file still asks the server for this phone's news.
        exported.count == 0 ? UiMessage("bundle_exported_empty") : UiMessage("bundle_exported", [String(exported.count)])
    }

    /// What an import did, in words (the Android app's `outcomeMessage`, the same keys:
    /// `bundle_imported_to_deliver`, …), with the count inside.
    nonisolated static func outcomeMessage(_ imported: ImportedBundle) -> UiMessage {
        UiMessage("bundle_imported_" + imported.outcome.code, [String(imported.count)])
    }
}

extension BundleEntry {
    /// Why the server refused this carried bundle, in words, from the code its note starts
    /// with (`bundle_bad_signature: …`); nil when the note names no code the app knows (the
    /// note itself is then the reason shown).
    var refusalMessage: UiMessage? {
        guard let note, !note.isEmpty else { return nil }
        let code = String(note.prefix(while: { $0 != ":" })).trimmingCharacters(in: .whitespaces)
        let typed = codeOf(code: code)
        return typed == .other ? nil : uiMessage(for: typed, raw: code)
    }

    /// The phone this bundle is for (a server's answer carried for it) as its short code; nil
    /// when it is for the server (the core's `peer` is then `server:<key id>`).
    var peerPhone: String? {
        peer.hasPrefix("server:") ? nil : BundlesViewModel.phoneCode(peer)
    }

    /// The bundle's file can be shared again: made here and not yet answered, or carried and
    /// still on its way (to the server, or back to its phone).
    var canShareAgain: Bool { shareable }
}

/// A file picked for import that could not be read, before the core saw it.
enum BundleFileError: Error {
    case unreadable(String)
    /// Far larger than any bundle (the core's limit is a few MB): not read into memory.
    case tooLarge

    var message: UiMessage {
        switch self {
        case .unreadable(let reason): return UiMessage("bundles_file_unreadable", [reason])
        case .tooLarge: return uiMessage(for: .bundleMalformed, raw: "bundle_malformed")
        }
    }

    var code: Code? {
        switch self {
        case .unreadable: return nil
        case .tooLarge: return .bundleMalformed
        }
    }
}

/// Bundle files on the phone's side: written to a temporary file to share, read from a URL the
/// file importer gave. Called off the main thread (inside `Core.run`).
enum BundleFiles {
    /// No bundle is anywhere near this big; a bigger file (a video picked by mistake) is not
    /// read into memory.
    static let readLimit = 32 << 20

    /// The temporary folder of files being shared; emptied before each new one.
    private static var folder: URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("bundles", isDirectory: true)
    }

    /// Writes `file` as `desmig-<bundleId>.desmig` in the temporary folder, for the share sheet.
    /// The id of a carried bundle comes from another phone's file, so only letters, digits and
    /// dashes of it make the name.
    static func writeForSharing(_ file: Data, bundleId: String) throws -> URL {
        let files = FileManager.default
        try? files.removeItem(at: folder)
        try files.createDirectory(at: folder, withIntermediateDirectories: true)
        var safeId = ""
        for scalar in bundleId.unicodeScalars.prefix(64) where scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "-") {
            safeId.unicodeScalars.append(scalar)
        }
        let url = folder.appendingPathComponent("desmig-\(safeId.isEmpty ? "bundle" : safeId).desmig")
        try file.write(to: url, options: .atomic)
        return url
    }

    /// Reads a picked file: with its security-scoped access (the Files app, another app's
    /// folder) and through a file coordinator, so that a file in iCloud Drive is downloaded first.
    static func read(_ url: URL) throws -> Data {
        let scoped = url.startAccessingSecurityScopedResource()
        defer { if scoped { url.stopAccessingSecurityScopedResource() } }
        var coordination: NSError?
        var result: Result<Data, Error> = .failure(BundleFileError.unreadable(url.lastPathComponent))
        NSFileCoordinator().coordinate(readingItemAt: url, options: [.withoutChanges], error: &coordination) { readable in
            result = Result {
                let size = try readable.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0
                guard size <= BundleFiles.readLimit else { throw BundleFileError.tooLarge }
                return try Data(contentsOf: readable)
            }
        }
        if let coordination { throw BundleFileError.unreadable(coordination.localizedDescription) }
        do {
            return try result.get()
        } catch let error as BundleFileError {
            throw error
        } catch {
            throw BundleFileError.unreadable(error.localizedDescription)
        }
    }

    /// An error of an export, an import or a share in words: a file that could not be read,
    /// or the core's typed refusal.
    static func message(for error: Error) -> UiMessage {
        (error as? BundleFileError)?.message ?? uiMessage(for: error)
    }
}
