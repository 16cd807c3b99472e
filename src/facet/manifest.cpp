#include "facet/manifest.hpp"
