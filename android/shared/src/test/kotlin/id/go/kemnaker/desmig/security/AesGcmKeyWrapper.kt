package id.go.kemnaker.desmig.security

import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * The tests' stand-in for the Android Keystore: AES-256-GCM under a key that lives only in this
 * object (a new instance is a Keystore that was reset). The same layout as KeystoreKeyWrapper:
 * the IV's length, the IV, then the sealed key with its tag.
 */
class AesGcmKeyWrapper(private val secret: SecretKey = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()) : KeyWrapper {
    var wraps = 0
        private set
    var unwraps = 0
        private set

    override fun wrap(key: ByteArray): ByteArray {
        wraps++
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.ENCRYPT_MODE, secret) // a fresh random IV
        cipher.updateAAD(AAD)
        val iv = cipher.iv
        return byteArrayOf(iv.size.toByte()) + iv + cipher.doFinal(key)
    }

    override fun unwrap(wrapped: ByteArray): ByteArray {
        unwraps++
        val ivLength = wrapped[0].toInt()
        val cipher = Cipher.getInstance("AES/GCM/NoPadding")
        cipher.init(Cipher.DECRYPT_MODE, secret, GCMParameterSpec(128, wrapped, 1, ivLength))
        cipher.updateAAD(AAD)
        return cipher.doFinal(wrapped, 1 + ivLength, wrapped.size - 1 - ivLength)
    }

    private companion object {
        val AAD = "desmig-store-key-v1".toByteArray()
    }
}

/** A storage that counts what it is asked, and can be made to fail. */
class RecordingStorage(initial: ByteArray? = null) : WrappedKeyStorage {
    var bytes: ByteArray? = initial?.copyOf()
        private set
    var saves = 0
        private set
    var failLoad = false
    var failSave = false

    override fun load(): ByteArray? {
        if (failLoad) throw java.io.IOException("the preferences file is damaged")
        return bytes?.copyOf()
    }

    override fun save(wrapped: ByteArray) {
        saves++
        if (failSave) throw java.io.IOException("no space left on the phone")
        bytes = wrapped.copyOf()
    }
}
