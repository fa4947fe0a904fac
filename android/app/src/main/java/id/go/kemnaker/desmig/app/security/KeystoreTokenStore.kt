package id.go.kemnaker.desmig.app.security

import android.annotation.SuppressLint
import android.content.Context
import android.content.SharedPreferences
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.util.Base64
import id.go.kemnaker.desmig.state.TokenStore
import java.security.GeneralSecurityException
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * The device token, encrypted with AES-256-GCM under a key that never leaves the Android Keystore;
 * only the ciphertext (IV + sealed token, Base64) is kept, in private SharedPreferences that
 * backups exclude. A token that cannot be decrypted any more (the key was lost with an app data
 * restore or a Keystore reset) reads as "no token": the user logs in again, nothing else is lost.
 */
@SuppressLint("ApplySharedPref") // commit(): the token must be on disk when login returns
class KeystoreTokenStore(context: Context) : TokenStore {
    private val prefs: SharedPreferences = context.applicationContext.getSharedPreferences(PREFS_NAME, Context.MODE_PRIVATE)

    @Synchronized
    override fun load(): String? {
        val sealed = prefs.getString(KEY_TOKEN, null) ?: return null
        return try {
            decrypt(sealed)
        } catch (e: GeneralSecurityException) {
            clear()
            null
        } catch (e: IllegalArgumentException) {
            clear()
            null
        }
    }

    @Synchronized
    override fun save(token: String) {
        // commit(), not apply(): callers run off the main thread and rely on the token being stored.
        prefs.edit().putString(KEY_TOKEN, encrypt(token)).commit()
    }

    @Synchronized
    override fun clear() {
        prefs.edit().remove(KEY_TOKEN).commit()
    }

    private fun encrypt(plain: String): String {
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.ENCRYPT_MODE, key()) // the Keystore picks a fresh random IV
        val iv = cipher.iv
        val sealed = cipher.doFinal(plain.toByteArray(Charsets.UTF_8))
        return Base64.encodeToString(byteArrayOf(iv.size.toByte()) + iv + sealed, Base64.NO_WRAP)
    }

    private fun decrypt(stored: String): String {
        val bytes = Base64.decode(stored, Base64.NO_WRAP)
        require(bytes.isNotEmpty()) { "empty token record" }
        val ivLength = bytes[0].toInt()
        require(ivLength in 12..16 && bytes.size > 1 + ivLength) { "malformed token record" }
        val iv = bytes.copyOfRange(1, 1 + ivLength)
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, key(), GCMParameterSpec(GCM_TAG_BITS, iv))
        return String(cipher.doFinal(bytes, 1 + ivLength, bytes.size - 1 - ivLength), Charsets.UTF_8)
    }

    private fun key(): SecretKey {
        val keyStore = KeyStore.getInstance(ANDROID_KEYSTORE).apply { load(null) }
        (keyStore.getKey(KEY_ALIAS, null) as? SecretKey)?.let { return it }
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, ANDROID_KEYSTORE)
        generator.init(
            KeyGenParameterSpec.Builder(KEY_ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                // No user authentication: the background sync reads the token with the screen locked.
                .build(),
        )
        return generator.generateKey()
    }

    companion object {
        /** The preferences file (desmig_tokens.xml); excluded from backups. */
        const val PREFS_NAME = "desmig_tokens"
        private const val KEY_TOKEN = "device_token"
        private const val KEY_ALIAS = "desmig_device_token_key"
        private const val ANDROID_KEYSTORE = "AndroidKeyStore"
        private const val TRANSFORMATION = "AES/GCM/NoPadding"
        private const val GCM_TAG_BITS = 128
    }
}
