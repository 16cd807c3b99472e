// Tests for facet/names.hpp.
#include "facet/names.hpp"
