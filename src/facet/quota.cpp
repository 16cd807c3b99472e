#include "facet/quota.hpp"
