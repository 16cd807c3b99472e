#pragma once
// Which provcache store a `stella prov` subcommand works on, from its flags:
//   --store-dir DIR                      the embedded store in DIR
//   --postgres URL [--valkey URL]        the tiered store (PostgreSQL, with a
//                                        Valkey/Redis cache when given)
// Exactly one of the two forms; the flags map onto store::StoreSettings and
// store::open_store, as the webhook's config keys do.

#include <memory>
#include <set>
#include <string>

#include "args.hpp"
#include "base/result.hpp"
#include "store/provcache_store.hpp"
#include "store/store_factory.hpp"

namespace zastava::cli {

// The option names above, to merge into a subcommand's ArgSpec.
const std::set<std::string>& store_option_names();

// The usage lines for the flags, to append to a subcommand's usage.
inline constexpr const char* kStoreUsage =
    "  store (one of):\n"
    "    --store-dir DIR                 the embedded store in DIR (created when absent)\n"
    "    --postgres URL [--valkey URL]   PostgreSQL (postgresql://user@host:port/db), with\n"
    "                                    a Valkey/Redis cache (redis://host:port)\n";

// kInvalidArgument (a usage error) when no store is given, or both forms are.
Result<store::StoreSettings> store_settings_from(const Args& args);

// store_settings_from + store::open_store (no metrics registry).
Result<std::unique_ptr<store::ProvcacheStore>> open_store_from(const Args& args);

}  // namespace zastava::cli
