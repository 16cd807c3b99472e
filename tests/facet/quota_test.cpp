// Tests for facet/quota.hpp.
#include "facet/quota.hpp"
