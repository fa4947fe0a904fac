package android.text.format

import android.content.Context

object Formatter {
    fun formatShortFileSize(context: Context?, bytes: Long): String = when {
        bytes >= 1_000_000 -> "%.1f MB".format(bytes / 1e6)
        bytes >= 1_000 -> "%.0f kB".format(bytes / 1e3)
        else -> "$bytes B"
    }
}
