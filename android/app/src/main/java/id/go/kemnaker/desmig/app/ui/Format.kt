package id.go.kemnaker.desmig.app.ui

import java.text.DateFormat
import java.text.ParseException
import java.text.SimpleDateFormat
import java.util.Date
import java.util.Locale
import java.util.TimeZone

// Display formatting only: times the core records as Unix milliseconds, and the date picker's
// days as `YYYY-MM-DD`. A `YYYY-MM-DD` date or a `YYYY-MM` month is shown in the core's words
// (Messages.kt `dateText`, `monthText`). java.text, not java.time: minSdk 24 has no java.time
// without desugaring.

private fun isoDateFormat(zone: TimeZone): SimpleDateFormat =
    SimpleDateFormat("yyyy-MM-dd", Locale.ROOT).apply { timeZone = zone; isLenient = false }

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
