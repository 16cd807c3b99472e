#pragma once
// Drift between two manifests of one facet (seed 3.5, 4.4), with causes where
// they can be determined.
//
// Score: added, removed, modified (same path, different content hash, size,
// mode or kind); total_changes = their sum; churn_percent = total_changes /
// max(1, baseline file count) * 100 (so a facet that appears from nothing
// has churn = its file count * 100).
//
// Causes, in order of precedence:
//  - package database files (/var/lib/dpkg/status, /lib/apk/db/installed,
//    /var/lib/rpm/*): PackageUpdate, or SecurityPatch when a changed
//    package's new version says so (e.g. Debian "+debNNuN", Ubuntu
//    "ubuntuN.N" security suffixes); detail names the packages and versions.
//    Needs the databases' content (an Inventory); without it, PackageUpdate.
//  - lockfiles (package-lock.json, yarn.lock, pnpm-lock.yaml,
//    requirements.txt, Pipfile.lock, poetry.lock, go.sum, Cargo.lock):
//    NewDependency when dependencies were added, RemovedDependency when only
//    removed, PackageUpdate when only versions changed.
//  - anything under /etc: ConfigChange.
//  - files of the binary facet, or modified files whose mode has an execute
//    bit: BinaryRebuild.
//  - otherwise Unknown.

#include <map>
#include <string>
#include <string_view>

#include "facet/model.hpp"

namespace zastava::facet {

// Parsed package databases and lockfiles of one image, keyed by file path:
// path -> (package or dependency name -> version).
struct Inventory {
  std::map<std::string, std::map<std::string, std::string>> by_file;
};

// Which files the image reader must capture for causes.
bool is_inventory_file(std::string_view path);

// Parses what it can; unparseable files are left out (causes fall back).
Inventory build_inventory(const std::map<std::string, std::string>& captured);

// `baseline_inventory` / `current_inventory` may be null (drift from seals).
// The quota verdict is left default; evaluate it with quota.hpp.
FacetDrift compute_drift(const FacetManifest& baseline, const FacetManifest& current,
                         const Inventory* baseline_inventory, const Inventory* current_inventory);

}  // namespace zastava::facet
