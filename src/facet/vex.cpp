#include "facet/vex.hpp"
