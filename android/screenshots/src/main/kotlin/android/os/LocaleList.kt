package android.os

import id.go.kemnaker.desmig.screenshots.Strings

class LocaleList {
    operator fun get(index: Int): java.util.Locale = Strings.locale
}
