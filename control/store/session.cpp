// Session is header-only (templates); this unit keeps the header compiling on its own.
#include "session.h"
