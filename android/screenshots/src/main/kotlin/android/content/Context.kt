// Desktop stand-ins for the few Android platform types the screens touch, so that the screens
// compile unchanged for Compose Multiplatform (desktop) and render to PNG.
package android.content

import android.content.res.Resources

open class Context {
    open val resources: Resources = Resources()
    open val applicationContext: Context get() = this
}
