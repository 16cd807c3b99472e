// Tests for facet/seal.hpp.
#include "facet/seal.hpp"
