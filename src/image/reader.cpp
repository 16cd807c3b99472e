#include "image/reader.hpp"
