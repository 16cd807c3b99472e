// Tests for facet/vex.hpp.
#include "facet/vex.hpp"
