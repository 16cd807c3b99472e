#include "facet/extract.hpp"
