package id.go.kemnaker.desmig.app.sync

import android.content.ClipData
import android.content.Context
import android.content.Intent
import androidx.core.content.FileProvider
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.state.BundleFile
import java.io.File
import java.io.IOException

// The platform's part of store-and-forward: a bundle file goes out through the share sheet
// (Bluetooth, WhatsApp, a cable, …) and comes in as a document the user picks. What is in it,
// and what importing it does, is the core's (state/BundlesModel.kt).

/** Bundle files have no registered type: any app that takes a file takes them. */
const val BUNDLE_MIME_TYPE = "application/octet-stream"

/** The FileProvider of res/xml/bundle_paths.xml (AndroidManifest.xml: `${applicationId}.bundles`). */
private fun authority(context: Context) = "${context.packageName}.bundles"

/**
 * The share sheet for [file]: written to `cacheDir/bundles/` (it is sealed: only the server, or
 * the phone it is for, opens it) and offered as a content URI that the chosen app may read.
 * Blocking (writes the file): call off the main thread, start the intent on it. Null when the
 * file could not be written (a full disk).
 */
fun bundleShareIntent(context: Context, file: BundleFile): Intent? {
    val written = try {
        File(context.cacheDir, "bundles").apply { mkdirs() }.resolve(file.fileName).apply { writeBytes(file.bytes) }
    } catch (e: IOException) {
        return null
    }
    val uri = FileProvider.getUriForFile(context, authority(context), written)
    val send = Intent(Intent.ACTION_SEND).apply {
        type = BUNDLE_MIME_TYPE
        putExtra(Intent.EXTRA_STREAM, uri)
        // The grant goes with the clip (Android 10+ share targets read the URI from it).
        clipData = ClipData.newRawUri(file.fileName, uri)
        addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
    }
    return Intent.createChooser(send, context.getString(R.string.bundles_share_title))
}

/** What the document picker offers: every file (a shared bundle may arrive under any type). */
val BUNDLE_PICKER_TYPES = arrayOf("*/*")
