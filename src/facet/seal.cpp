#include "facet/seal.hpp"
