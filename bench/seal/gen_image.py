#!/usr/bin/env python3
"""Generates a synthetic OCI image layout for the seal benchmark.

usage: gen_image.py OUT_DIR --files N --bytes TOTAL [--layers 5] [--seed 1]

Deterministic: the same arguments give the same files (paths, sizes, bytes,
modes, mtimes) and the same uncompressed layers. File sizes are mixed: most
log-uniform between 100 B and 40 KiB, one in a thousand between 1 and 8 MiB,
all scaled so the total is TOTAL bytes. Content is 60% text-like (compresses
about 3:1) and 40% random (incompressible), so gzip does real work both
ways. Paths spread over the default facets (/usr/bin, /usr/lib/*.so,
/etc, node_modules, site-packages) and plain data directories.

The layers are gzip tarballs (gzip -6, one process a layer, run in parallel)
with directory entries; the layout is written directly: blobs/sha256,
oci-layout, a config with rootfs.diff_ids, a manifest and index.json with the
tag "bench".
"""

import argparse
import hashlib
import io
import json
import math
import os
import random
import subprocess
import sys
import tarfile

MTIME = 1704067200  # 2024-01-01T00:00:00Z
POOL_BYTES = 16 << 20
WORDS = (
    "the quick brown fox jumps over lazy dog lorem ipsum dolor sit amet "
    "consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore "
    "et dolore magna aliqua function return const import export class struct "
    "package version dependency config server listen port true false null"
).split()

# (directory, extension, mode, weight): where files go.
PLACES = [
    ("/usr/share/bench/data{a:02d}/{b:02d}", ".dat", 0o644, 40),
    ("/app/node_modules/pkg{a:02d}/lib{b:02d}", ".js", 0o644, 20),
    ("/usr/lib/python3/site-packages/mod{a:02d}/sub{b:02d}", ".py", 0o644, 15),
    ("/usr/lib/x86_64-linux-gnu/bench{a:02d}", ".so", 0o755, 8),
    ("/etc/bench{a:02d}", ".conf", 0o644, 7),
    ("/usr/bin", "", 0o755, 5),
    ("/srv/www/site{a:02d}/{b:02d}", ".html", 0o644, 5),
]


def text_pool(rng):
    # 2 MiB of generated lines, repeated: repeats are far beyond gzip's 32 KiB
    # window, so they compress like fresh text.
    out = bytearray()
    while len(out) < (2 << 20):
        line = " ".join(rng.choices(WORDS, k=rng.randint(4, 14)))
        out += line.encode() + b"\n"
    return bytes((out * (POOL_BYTES // len(out) + 1))[:POOL_BYTES])


def file_sizes(rng, count, total):
    sizes = []
    for _ in range(count):
        if rng.random() < 0.001:
            sizes.append(rng.randint(1 << 20, 8 << 20))
        else:
            sizes.append(int(math.exp(rng.uniform(math.log(100), math.log(40 << 10)))))
    scale = total / sum(sizes)
    sizes = [max(1, int(size * scale)) for size in sizes]
    sizes[0] += total - sum(sizes)  # exact total
    return sizes


def file_paths(rng, count):
    weights = [place[3] for place in PLACES]
    paths = []
    for index in range(count):
        directory, extension, mode, _ = rng.choices(PLACES, weights)[0]
        directory = directory.format(a=rng.randrange(50), b=rng.randrange(20))
        paths.append((f"{directory}/f{index:07d}{extension}", mode))
    return paths


def content(rng, pools, index, size):
    header = f"bench file {index}\n".encode()
    pool = pools[0] if rng.random() < 0.6 else pools[1]
    body = bytearray(header)
    while len(body) < size:
        take = min(size - len(body), POOL_BYTES)
        start = rng.randrange(POOL_BYTES - take + 1)
        body += pool[start : start + take]
    return bytes(body[:size])


class HashingWriter(io.RawIOBase):
    """Writes to a pipe while hashing what passes (the layer's diff_id)."""

    def __init__(self, sink):
        self.sink = sink
        self.hash = hashlib.sha256()

    def writable(self):
        return True

    def write(self, data):
        self.hash.update(data)
        self.sink.write(data)
        return len(data)


def write_layer(path, entries, rng, pools):
    """entries: [(path, mode, size, index)]. Returns (diff_id, compressed path)."""
    with open(path, "wb") as out:
        gzip = subprocess.Popen(["gzip", "-6", "-n", "-c"], stdin=subprocess.PIPE, stdout=out)
        writer = HashingWriter(gzip.stdin)
        with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            directories = set()
            for file_path, mode, size, index in entries:
                parts = file_path.strip("/").split("/")[:-1]
                for depth in range(1, len(parts) + 1):
                    directory = "/".join(parts[:depth])
                    if directory in directories:
                        continue
                    directories.add(directory)
                    info = tarfile.TarInfo(directory)
                    info.type = tarfile.DIRTYPE
                    info.mode = 0o755
                    info.mtime = MTIME
                    tar.addfile(info)
                data = content(rng, pools, index, size)
                info = tarfile.TarInfo(file_path.lstrip("/"))
                info.size = len(data)
                info.mode = mode
                info.mtime = MTIME
                tar.addfile(info, io.BytesIO(data))
        gzip.stdin.close()
        if gzip.wait() != 0:
            sys.exit(f"gen_image: gzip failed for {path}")
    return "sha256:" + writer.hash.hexdigest()


def put_blob(out_dir, data=None, path=None):
    if path is not None:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        hex_digest = digest.hexdigest()
        size = os.path.getsize(path)
        os.replace(path, os.path.join(out_dir, "blobs", "sha256", hex_digest))
    else:
        hex_digest = hashlib.sha256(data).hexdigest()
        size = len(data)
        with open(os.path.join(out_dir, "blobs", "sha256", hex_digest), "wb") as handle:
            handle.write(data)
    return "sha256:" + hex_digest, size


def generate_layers(out_dir, args):
    rng = random.Random(args.seed)
    pools = (text_pool(rng), rng.randbytes(POOL_BYTES))
    sizes = file_sizes(rng, args.files, args.bytes)
    paths = file_paths(rng, args.files)
    entries = [(path, mode, size, index) for index, ((path, mode), size) in enumerate(zip(paths, sizes))]
    per_layer = math.ceil(len(entries) / args.layers)
    # One child process a layer (each with its own gzip), two at a time.
    children = []
    for layer in range(args.layers):
        chunk = sorted(entries[layer * per_layer : (layer + 1) * per_layer])
        pid = os.fork()
        if pid == 0:
            layer_rng = random.Random(f"{args.seed}-{layer}")
            diff_id = write_layer(os.path.join(out_dir, f"layer{layer}.tar.gz"), chunk, layer_rng, pools)
            with open(os.path.join(out_dir, f"layer{layer}.diffid"), "w") as handle:
                handle.write(diff_id)
            os._exit(0)
        children.append(pid)
        if len(children) >= max(1, os.cpu_count() or 1):
            _, status = os.waitpid(children.pop(0), 0)
            if status != 0:
                sys.exit("gen_image: a layer failed")
    for pid in children:
        _, status = os.waitpid(pid, 0)
        if status != 0:
            sys.exit("gen_image: a layer failed")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--files", type=int, required=True)
    parser.add_argument("--bytes", type=int, required=True)
    parser.add_argument("--layers", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    out_dir = args.out_dir
    os.makedirs(os.path.join(out_dir, "blobs", "sha256"), exist_ok=True)
    generate_layers(out_dir, args)

    layers, diff_ids = [], []
    for layer in range(args.layers):
        with open(os.path.join(out_dir, f"layer{layer}.diffid")) as handle:
            diff_ids.append(handle.read())
        os.remove(os.path.join(out_dir, f"layer{layer}.diffid"))
        digest, size = put_blob(out_dir, path=os.path.join(out_dir, f"layer{layer}.tar.gz"))
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest, "size": size})
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": "2024-01-01T00:00:00Z",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "gen_image.py"} for _ in layers],
    }
    config_digest, config_size = put_blob(out_dir, data=json.dumps(config, sort_keys=True).encode())
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_size},
        "layers": layers,
    }
    manifest_digest, manifest_size = put_blob(out_dir, data=json.dumps(manifest, sort_keys=True).encode())
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": manifest_digest,
                "size": manifest_size,
                "annotations": {"org.opencontainers.image.ref.name": "bench"},
            }
        ],
    }
    with open(os.path.join(out_dir, "index.json"), "w") as handle:
        json.dump(index, handle)
    with open(os.path.join(out_dir, "oci-layout"), "w") as handle:
        json.dump({"imageLayoutVersion": "1.0.0"}, handle)
    print(f"gen_image: {args.files} files, {args.bytes} bytes in {args.layers} layers -> {out_dir}")


if __name__ == "__main__":
    main()
