#include <sqlite3.h>

/// Turns off SQLite's memory statistics, which take a process-wide mutex on every
/// allocation and free (several per inserted row). Works only before SQLite is first used
/// in the process; returns SQLITE_OK, or SQLITE_MISUSE when it was already in use.
/// sqlite3_config is variadic, so Swift cannot call it directly.
static inline int bpm_sqlite_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
