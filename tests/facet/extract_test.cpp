// Tests for facet/extract.hpp.
#include "facet/extract.hpp"
