#pragma once
// Drift between two manifests of one facet (seed 3.5, 4.4), with causes where
// they can be determined.
//
// Score: added, removed, modified (same path, different content hash, size,
// mode or kind); total_changes = their sum; churn_percent = total_changes /
// max(1, baseline file count) * 100 (so a facet that appears from nothing
// has churn = its file count * 100).
//
// Entries of each list are sorted by path. Modified entries carry both
// hashes and sizes; added ones only the new, removed ones only the old. An
// mtime-only change is not drift: drift is about content and permissions.
//
// Causes, in order of precedence (the first that applies wins):
//  - package database files (/var/lib/dpkg/**, /lib/apk/db/**,
//    /var/lib/rpm/**, /usr/lib/sysimage/rpm/**, /var/lib/pacman/** ...):
//    PackageUpdate, or SecurityPatch when a package whose version changed now
//    has a security-update version (is_security_version). With both sides'
//    Inventory of the database (dpkg status / status.d, apk installed), detail
//    lists the changes: "openssl 3.0.11-1~deb12u1 -> 3.0.15-1~deb12u2
//    (security), +curl 7.88.1-10, -wget 1.21.3-1" (at most 5, then "and N
//    more"). /var/lib/dpkg/info/<pkg>.* files report <pkg>'s change from the
//    status database. RPM databases are binary and never parsed:
//    PackageUpdate without detail; so is any database without an Inventory.
//  - lockfiles (package-lock.json, npm-shrinkwrap.json,
//    node_modules/.package-lock.json, yarn.lock, pnpm-lock.yaml,
//    requirements*.txt, Pipfile.lock, poetry.lock, go.sum, Cargo.lock):
//    NewDependency when any dependency was added, else RemovedDependency
//    when any was removed, else PackageUpdate when only versions changed, else
//    Unknown ("no dependency version changed", e.g. only integrity hashes).
//    Without an Inventory: a new lockfile is NewDependency, a deleted one
//    RemovedDependency, an edited one PackageUpdate.
//  - anything under /etc: ConfigChange.
//  - MODIFIED files of a binary-type facet, or modified regular files with an
//    execute bit (before or after): BinaryRebuild. A binary that appears or
//    disappears is not a rebuild: Unknown.
//  - otherwise Unknown.
// A modified entry whose cause has no detail says what changed besides the
// content: "mode 0644 -> 0755", "regular file -> symlink", "symlink retargeted".

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

// Which files the image reader must capture for causes: the text package
// databases (dpkg status and status.d, apk installed) and the lockfiles above
// (matched by file name, at any depth). Pass it as image::ReadOptions::capture.
bool is_inventory_file(std::string_view path);

// Parses what it can; unparseable files are left out (causes fall back).
Inventory build_inventory(const std::map<std::string, std::string>& captured);

// Whether a package version string carries a distribution's stable-update
// revision, taken as a security fix. Matches only the forms below, so it errs
// towards PackageUpdate, except that Debian and Ubuntu give point-release
// (non-security) stable updates the same form, which cannot be told apart
// from the version alone and are reported as SecurityPatch too:
//  - Debian "+debNNuN" / "~debNNuN" (1.2-3+deb12u1, 3.0.15-1~deb12u1);
//  - Ubuntu post-release "ubuntuN.N" (1.1.1f-1ubuntu2.16,
//    2.7-0ubuntu0.22.04.1) and ESM "+esmN" / "~esmN";
//  - never Alpine: an "-rN" bump is equally a rebuild or a fix; never a
//    version without such a revision (binNMU "+b2", upstream bumps).
bool is_security_version(std::string_view version);

// `baseline_inventory` / `current_inventory` may be null (drift from seals).
// The quota verdict is left default; evaluate it with quota.hpp. facet_id is
// the current manifest's (the baseline's when that is empty); the seal ids
// are left empty for the caller to fill in.
//
// The manifests' files should be sorted by path, as manifests are; unsorted
// input is sorted first rather than giving a wrong drift.
FacetDrift compute_drift(const FacetManifest& baseline, const FacetManifest& current,
                         const Inventory* baseline_inventory, const Inventory* current_inventory);

}  // namespace zastava::facet
