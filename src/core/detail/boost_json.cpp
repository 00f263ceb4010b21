// The one translation unit that compiles Boost.JSON; every other file includes the headers only.
#include <boost/json/src.hpp>
