#include "prov_store.hpp"

namespace zastava::cli {

const std::set<std::string>& store_option_names() {
  static const std::set<std::string> kNames = {"store-dir", "postgres", "valkey"};
  return kNames;
}

Result<store::StoreSettings> store_settings_from(const Args& args) {
  store::StoreSettings settings;
  settings.embedded_dir = args.value("store-dir");
  settings.postgres_url = args.value("postgres");
  settings.valkey_url = args.value("valkey");
  if (settings.embedded_dir && (settings.postgres_url || settings.valkey_url)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--store-dir cannot be combined with --postgres/--valkey: pick one store");
  }
  if (settings.valkey_url && !settings.postgres_url) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--valkey is the cache in front of --postgres: give --postgres URL too");
  }
  if (!settings.embedded_dir && !settings.postgres_url) {
    return make_error(ErrorCode::kInvalidArgument,
                      "no store given: pass --store-dir DIR or --postgres URL [--valkey URL]");
  }
  for (const auto* value : {&settings.embedded_dir, &settings.postgres_url, &settings.valkey_url}) {
    if (*value && (*value)->empty()) {
      return make_error(ErrorCode::kInvalidArgument, "a store flag was given an empty value");
    }
  }
  return settings;
}

Result<std::unique_ptr<store::ProvcacheStore>> open_store_from(const Args& args) {
  auto settings = store_settings_from(args);
  if (!settings) return settings.error();
  return store::open_store(*settings, nullptr);
}

}  // namespace zastava::cli
