package id.go.kemnaker.desmig.app.security

import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import id.go.kemnaker.desmig.security.KeyWrapper
import java.security.KeyStore
import java.security.KeyStoreException
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * Wraps the store's key (see [id.go.kemnaker.desmig.security.StoreKeyVault]) with AES-256-GCM
 * under its own key in the Android Keystore, which never leaves it. The wrapped form is the IV's
 * length (one byte), the IV (chosen by the Keystore) and the sealed key with its 128-bit tag.
 *
 * No user authentication and no "unlocked device" requirement: the hourly background sync opens
 * the store with the screen locked. Blocking (the Keystore may be a separate chip): called by the
 * vault only, off the main thread.
 */
class KeystoreKeyWrapper(private val alias: String = KEY_ALIAS) : KeyWrapper {

    override fun wrap(key: ByteArray): ByteArray {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, existingKey() ?: generateKey()) // the Keystore picks a fresh random IV
        cipher.updateAAD(AAD)
        val iv = cipher.iv
        val sealed = cipher.doFinal(key)
        return byteArrayOf(iv.size.toByte()) + iv + sealed
    }

    override fun unwrap(wrapped: ByteArray): ByteArray {
        require(wrapped.isNotEmpty()) { "empty wrapped key" }
        val ivLength = wrapped[0].toInt()
        require(ivLength in 12..16 && wrapped.size > 1 + ivLength) { "malformed wrapped key" }
        // Never make a Keystore key here: if it is gone, the wrapped key is lost and the vault says so.
        val secret = existingKey() ?: throw KeyStoreException("no Keystore key '$alias': the Keystore was reset")
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, secret, GCMParameterSpec(GCM_TAG_BITS, wrapped, 1, ivLength))
        cipher.updateAAD(AAD)
        return cipher.doFinal(wrapped, 1 + ivLength, wrapped.size - 1 - ivLength)
    }

    private fun existingKey(): SecretKey? {
        val keyStore = KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }
        return keyStore.getKey(alias, null) as? SecretKey
    }

    private fun generateKey(): SecretKey {
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, ANDROID_KEYSTORE)
        generator.init(
            KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                // No setUserAuthenticationRequired / setUnlockedDeviceRequired: the background
                // sync opens the store while the phone is locked.
                .build(),
        )
        return generator.generateKey()
    }

    companion object {
        /** Apart from the device token's key (KeystoreTokenStore): each has its own alias. */
        const val KEY_ALIAS = "desmig_store_key_wrapper"
        private const val ANDROID_KEYSTORE = "AndroidKeyStore"
        private const val TRANSFORMATION = "AES/GCM/NoPadding"
        private const val GCM_TAG_BITS = 128

        /** Binds the sealed bytes to their use (and to this layout's version). */
        private val AAD = "desmig-store-key-v1".toByteArray(Charsets.US_ASCII)
    }
}
