package id.go.kemnaker.desmig.app.ui

import java.text.DateFormat
import java.text.ParseException
import java.text.SimpleDateFormat
import java.util.Date
import java.util.Locale
import java.util.TimeZone

// Display formatting only (dates the core keeps as `YYYY-MM-DD` text, times as Unix milliseconds).
// java.text, not java.time: minSdk 24 has no java.time without desugaring.

private fun isoDateFormat(zone: TimeZone): SimpleDateFormat =
    SimpleDateFormat("yyyy-MM-dd", Locale.ROOT).apply { timeZone = zone; isLenient = false }

/** `2026-12-05` as the device writes dates (`5 Des 2026`); the text itself when it is no date. */
fun formatIsoDate(iso: String): String = try {
    val date = isoDateFormat(TimeZone.getDefault()).parse(iso) ?: return iso
    DateFormat.getDateInstance(DateFormat.MEDIUM).format(date)
} catch (e: ParseException) {
    iso
}

/** A moment the core recorded (Unix milliseconds), as date and time in the device's zone. */
fun formatTimestamp(millis: Long): String =
    DateFormat.getDateTimeInstance(DateFormat.MEDIUM, DateFormat.SHORT).format(Date(millis))

/** Today on this phone, `YYYY-MM-DD`. */
fun todayIso(): String = isoDateFormat(TimeZone.getDefault()).format(Date())

/** The day a Material date picker returns (UTC midnight, milliseconds) as `YYYY-MM-DD`. */
fun isoDateOfPickerMillis(millis: Long): String = isoDateFormat(TimeZone.getTimeZone("UTC")).format(Date(millis))

/** `YYYY-MM-DD` as a Material date picker's selection (UTC midnight); null when it is no date. */
fun pickerMillisOfIsoDate(iso: String?): Long? = try {
    iso?.let { isoDateFormat(TimeZone.getTimeZone("UTC")).parse(it)?.time }
} catch (e: ParseException) {
    null
}
