#include "facet/drift.hpp"
