#pragma once
// Package databases and lockfiles: recognizing them by path and reading the
// packages they list, so drift can say which package changed and how.
//
// Every parser returns name -> version. When one file lists a name more than
// once (multi-arch dpkg packages, several versions of one npm package nested
// in node_modules, go.sum's version history), the distinct versions are kept
// sorted and joined with ", ", so a change to any of them shows up.

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace zastava::facet {

enum class InventoryFormat {
  kNone,
  kDpkgStatus,    // /var/lib/dpkg/status and distroless /var/lib/dpkg/status.d/*
  kApkInstalled,  // /lib/apk/db/installed (also /usr/lib/apk/db/installed)
  kNpmLock,       // package-lock.json, npm-shrinkwrap.json, node_modules/.package-lock.json
  kYarnLock,      // yarn.lock, v1 and berry
  kPnpmLock,      // pnpm-lock.yaml
  kRequirements,  // requirements.txt, requirements-<anything>.txt
  kPipfileLock,   // Pipfile.lock
  kPoetryLock,    // poetry.lock
  kGoSum,         // go.sum
  kCargoLock,     // Cargo.lock
};

using PackageVersions = std::map<std::string, std::string>;

// The format of the text file at `path`, or kNone. RPM databases are binary
// (sqlite or Berkeley DB) and are never parsed: kNone.
InventoryFormat inventory_format(std::string_view path);

// Files owned by an OS package manager: the dpkg, apk, rpm and pacman
// database trees (/var/lib/dpkg/**, /lib/apk/db/**, /var/lib/rpm/**,
// /usr/lib/sysimage/rpm/**, /var/lib/pacman/**, ...).
bool is_package_database(std::string_view path);

// Language lockfiles (the kNpmLock ... kCargoLock formats).
bool is_lockfile(std::string_view path);

// For /var/lib/dpkg/info/<package>[:<arch>].<suffix>, the package name; else "".
std::string dpkg_info_package(std::string_view path);

// Parses `content` as `format`; nullopt when it is not that format (malformed
// JSON, for instance). An empty but well-formed file gives an empty map.
std::optional<PackageVersions> parse_inventory(InventoryFormat format, std::string_view content);

// PEP 503 normalized Python project name: lower case, runs of "-_." -> "-".
std::string normalize_python_name(std::string_view name);

}  // namespace zastava::facet
