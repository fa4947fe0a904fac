package id.go.kemnaker.desmig.app.security

import android.annotation.SuppressLint
import android.content.Context
import android.content.SharedPreferences
import android.util.Base64
import id.go.kemnaker.desmig.security.WrappedKeyStorage
import java.io.IOException

/**
 * The wrapped store key (never the key itself), Base64 in its own private SharedPreferences file,
 * `desmig_store_key.xml`, excluded from cloud backup and device transfer like the database
 * (res/xml/backup_rules.xml, data_extraction_rules.xml): the Keystore key that unwraps it stays
 * on this phone, so a copy elsewhere would only lock the app there.
 *
 * Not the token's file: signing out clears the token and leaves this alone. Nothing in the app
 * ever removes it; a key that no longer unwraps leaves the store locked, not deleted.
 */
@SuppressLint("ApplySharedPref") // commit(): the wrapped key must be on disk before the store is encrypted with its key
class PreferencesWrappedKeyStorage(context: Context) : WrappedKeyStorage {
    private val prefs: SharedPreferences = context.applicationContext.getSharedPreferences(PREFS_NAME, Context.MODE_PRIVATE)

    override fun load(): ByteArray? {
        val text = prefs.getString(KEY_WRAPPED, null) ?: return null
        // A damaged value throws (IllegalArgumentException): the vault reports the store locked.
        return Base64.decode(text, Base64.NO_WRAP)
    }

    override fun save(wrapped: ByteArray) {
        val stored = prefs.edit().putString(KEY_WRAPPED, Base64.encodeToString(wrapped, Base64.NO_WRAP)).commit()
        if (!stored) throw IOException("the wrapped store key could not be written to $PREFS_NAME.xml")
    }

    companion object {
        /** The preferences file (desmig_store_key.xml); excluded from backups. */
        const val PREFS_NAME = "desmig_store_key"
        private const val KEY_WRAPPED = "wrapped_store_key"
    }
}
