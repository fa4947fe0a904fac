import Foundation
import Security

/// Why the store's key cannot be had. The app then says so and stops: it never deletes or
/// recreates the store, whose changes not yet sent exist nowhere else.
enum StoreKeyError: Error, CustomStringConvertible {
    /// A key item exists but cannot be read, or is not 32 bytes. It is never replaced: a new key
    /// cannot open the store.
    case unreadable(OSStatus)
    /// The phone has not been unlocked since it started (the item is readable after the first
    /// unlock): nothing is wrong, the next launch after unlocking reads it.
    case notYetAvailable
    /// First run: a new key could not be made or stored. Nothing was encrypted with it; the next
    /// launch tries again.
    case notSaved(OSStatus)

    /// True when the store is locked for good on this phone (the supervisor must decide).
    var locksStore: Bool {
        if case .unreadable = self { return true }
        return false
    }

    /// What the user is told (the Android app's keys).
    var message: UiMessage {
        switch self {
        case .unreadable(let status): return UiMessage("error_store_locked", ["keychain_\(status)"])
        case .notYetAvailable: return UiMessage("error_store_key_not_yet")
        case .notSaved(let status): return UiMessage("error_storage", ["keychain_\(status)"])
        }
    }

    var description: String {
        switch self {
        case .unreadable(let status): return "store key unreadable: \(KeychainError(status: status))"
        case .notYetAvailable: return "store key not available before the first unlock"
        case .notSaved(let status): return "store key not saved: \(KeychainError(status: status))"
        }
    }
}

/// The key of the phone's encrypted store (SQLCipher in the core): 32 random bytes from
/// `SecRandomCopyBytes`, made on the first launch and kept as a generic password in the
/// Keychain, readable after the first unlock (so a background sync opens the store while the
/// phone is locked) and never leaving this device: not in backups, not moved to a new phone.
///
/// A separate item from the sync token (`KeychainTokenStore`): signing out deletes the token,
/// never this. When the item exists but cannot be read, it throws and never makes a new key.
final class KeychainStoreKey {
    static let length = 32

    private let service: String
    private let account: String

    init(service: String = "id.go.kemnaker.desmig", account: String = "store-key") {
        self.service = service
        self.account = account
    }

    private var query: [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
        ]
    }

    /// The store's key; made and stored on the first launch only. Blocking (Keychain calls).
    func key() throws -> Data {
        if let existing = try read() { return existing }
        return try create()
    }

    /// The stored key, nil when there is none; throws when one exists but cannot be read.
    private func read() throws -> Data? {
        var request = query
        request[kSecReturnData as String] = true
        request[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(request as CFDictionary, &item)
        switch status {
        case errSecSuccess:
            guard let data = item as? Data, data.count == Self.length else { throw StoreKeyError.unreadable(status) }
            return data
        case errSecItemNotFound:
            return nil
        case errSecInteractionNotAllowed:
            throw StoreKeyError.notYetAvailable
        default:
            throw StoreKeyError.unreadable(status)
        }
    }

    /// First launch: a new key, returned only once it is stored and reads back the same.
    private func create() throws -> Data {
        var bytes = [UInt8](repeating: 0, count: Self.length)
        let random = SecRandomCopyBytes(kSecRandomDefault, bytes.count, &bytes)
        guard random == errSecSuccess else { throw StoreKeyError.notSaved(random) }
        let key = Data(bytes)
        bytes.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { memset(base, 0, raw.count) }
        }

        var item = query
        item[kSecValueData as String] = key
        item[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        let status = SecItemAdd(item as CFDictionary, nil)
        switch status {
        case errSecSuccess:
            break
        case errSecDuplicateItem:
            // Made meanwhile by another launch path (a background task): that one is the key.
            guard let existing = try read() else { throw StoreKeyError.unreadable(status) }
            return existing
        case errSecInteractionNotAllowed:
            throw StoreKeyError.notYetAvailable
        default:
            throw StoreKeyError.notSaved(status)
        }
        // Nothing is encrypted with the key before it is known to be stored.
        guard let stored = try read(), stored == key else { throw StoreKeyError.notSaved(errSecSuccess) }
        return key
    }
}
