// The one translation unit that compiles Boost.Asio, its OpenSSL support and
// Boost.Beast (see net/CMakeLists.txt).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
