package androidx.compose.material3

import android.content.Context

// Android 12 wallpaper colours do not exist on the desktop: the app's own scheme is used.
fun dynamicLightColorScheme(context: Context): ColorScheme = lightColorScheme()
fun dynamicDarkColorScheme(context: Context): ColorScheme = darkColorScheme()
