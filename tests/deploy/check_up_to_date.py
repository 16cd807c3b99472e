#!/usr/bin/env python3
"""manifests/ and the chart's CRDs are what their sources make, byte for byte.

    check_up_to_date.py ROOT HELM

- renders the chart with scripts/render-manifests.sh into a temporary
  directory and compares every generated file with manifests/ (a file missing,
  extra or different fails, with a diff): manifests/ is never edited by hand;
- charts/zastava/crds/*.yaml are exactly crds/*.yaml (Helm installs the
  chart's copy; crds/ is the source).

The fix for a failure is `scripts/render-manifests.sh`.
"""

import difflib
import filecmp
import glob
import os
import subprocess
import sys
import tempfile


def generated(directory):
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(directory, "[0-9][0-9]-*.yaml")))


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: check_up_to_date.py ROOT HELM")
    root, helm = os.path.abspath(argv[1]), argv[2]
    problems = []
    source_crds = sorted(os.path.basename(p) for p in glob.glob(os.path.join(root, "crds", "*.yaml")))
    chart_crds = sorted(os.path.basename(p) for p in glob.glob(os.path.join(root, "charts", "zastava", "crds", "*.yaml")))
    if source_crds != chart_crds:
        problems.append(f"charts/zastava/crds has {chart_crds}, crds/ has {source_crds}")
    for name in set(source_crds) & set(chart_crds):
        if not filecmp.cmp(os.path.join(root, "crds", name),
                           os.path.join(root, "charts", "zastava", "crds", name), shallow=False):
            problems.append(f"charts/zastava/crds/{name} differs from crds/{name}")
    with tempfile.TemporaryDirectory() as out:
        env = dict(os.environ, HELM=helm)
        done = subprocess.run([os.path.join(root, "scripts", "render-manifests.sh"), out],
                              capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            print(done.stdout, done.stderr)
            print("FAIL scripts/render-manifests.sh failed")
            return 1
        fresh, committed = generated(out), generated(os.path.join(root, "manifests"))
        if fresh != committed:
            problems.append(f"manifests/ holds {committed}, the chart renders {fresh}")
        for name in set(fresh) & set(committed):
            with open(os.path.join(out, name), encoding="utf-8") as f:
                want = f.readlines()
            with open(os.path.join(root, "manifests", name), encoding="utf-8") as f:
                have = f.readlines()
            if want != have:
                diff = "".join(difflib.unified_diff(have, want, f"manifests/{name}", "rendered", n=1))
                problems.append(f"manifests/{name} is stale:\n{diff[:4000]}")
    for problem in problems:
        print("FAIL", problem)
    print(f"manifests/ and chart CRDs: {'up to date' if not problems else 'stale: run scripts/render-manifests.sh'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
