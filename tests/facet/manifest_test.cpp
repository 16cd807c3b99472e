// Tests for facet/manifest.hpp.
#include "facet/manifest.hpp"
