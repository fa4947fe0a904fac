package android.content.res

import android.os.LocaleList

class Configuration {
    val locales: LocaleList = LocaleList()
}
