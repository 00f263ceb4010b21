// Boost.JSON compiled once for the fuzz targets (the main build does this in src/core/detail).
#include <boost/json/src.hpp>
