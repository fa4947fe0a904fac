package android.content.res

import id.go.kemnaker.desmig.screenshots.Strings

class Resources {
    fun getString(id: Int): String = Strings.string(id)
    fun getString(id: Int, vararg args: Any?): String = Strings.string(id, *args)
}
