// Tests for facet/definitions.hpp.
#include "facet/definitions.hpp"
