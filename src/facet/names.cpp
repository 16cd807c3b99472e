#include "facet/names.hpp"
