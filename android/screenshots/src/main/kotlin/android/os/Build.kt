package android.os

object Build {
    object VERSION {
        const val SDK_INT: Int = 0
    }
    object VERSION_CODES {
        const val S: Int = 31
    }
}
