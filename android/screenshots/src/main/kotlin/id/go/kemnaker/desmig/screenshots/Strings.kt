package id.go.kemnaker.desmig.screenshots

import id.go.kemnaker.desmig.RNames
import java.io.File
import javax.xml.parsers.DocumentBuilderFactory
import org.w3c.dom.Element

/** The app's string resources for one language (`values` is Indonesian, `values-en` English). */
object Strings {
    var locale: java.util.Locale = java.util.Locale.forLanguageTag("id")
        private set
    private var strings: Map<String, String> = emptyMap()
    private var plurals: Map<String, Map<String, String>> = emptyMap()

    fun load(resDir: File, language: String) {
        val file = File(resDir, if (language == "id") "values/strings.xml" else "values-$language/strings.xml")
        val doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file)
        val s = mutableMapOf<String, String>()
        val p = mutableMapOf<String, Map<String, String>>()
        val nodes = doc.documentElement.childNodes
        for (i in 0 until nodes.length) {
            val e = nodes.item(i) as? Element ?: continue
            when (e.tagName) {
                "string" -> s[e.getAttribute("name")] = unescape(e.textContent)
                "plurals" -> {
                    val items = e.getElementsByTagName("item")
                    p[e.getAttribute("name")] = (0 until items.length).associate { j ->
                        val item = items.item(j) as Element
                        item.getAttribute("quantity") to unescape(item.textContent)
                    }
                }
            }
        }
        strings = s
        plurals = p
        locale = java.util.Locale.forLanguageTag(language)
        // Dates and numbers follow the language, as they follow the device's on a phone.
        java.util.Locale.setDefault(locale)
    }

    private fun unescape(t: String) = t.trim().removeSurrounding("\"").replace("\\'", "'").replace("\\\"", "\"").replace("\\n", "\n")

    fun string(id: Int, vararg args: Any?): String {
        val name = RNames.string[id]
        val text = strings[name] ?: error("no string $name")
        return if (args.isEmpty()) text else String.format(text, *args)
    }

    fun plural(id: Int, count: Int, vararg args: Any?): String {
        val forms = plurals[RNames.plurals[id]] ?: error("no plural ${RNames.plurals[id]}")
        val text = forms[if (count == 1) "one" else "other"] ?: forms["other"] ?: forms.values.first()
        return String.format(text, *args)
    }
}
