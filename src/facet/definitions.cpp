#include "facet/definitions.hpp"
