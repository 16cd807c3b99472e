// Tests for facet/drift.hpp.
#include "facet/drift.hpp"
