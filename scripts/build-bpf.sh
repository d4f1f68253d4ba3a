#!/usr/bin/env bash
# Compiles the BPF programs of the repository into object files libbpf loads (one <name>.o per bpf/<name>.c).
#
#   scripts/build-bpf.sh <out-dir> [source.c ...]
#
# Without sources: every bpf/*.c (not bpf/test/, which only tests compile). The flags are the one set every BPF
# compile of this repository uses: tests compile bpf/test/*.c through this script too (Calico.TestKit's
# BpfTestPrograms), and calico-node's build runs it (src/Calico.Node/BpfPrograms.targets).
# Headers: bpf/include (ours), Debian's linux-libc-dev (linux/bpf.h, linux/pkt_cls.h) and libbpf-dev
# (bpf/bpf_helpers.h). A failed compile names the file and stops the build; a missing clang says what to install.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

if [ $# -lt 1 ] || [ -z "$1" ] || [ "$1" = -h ] || [ "$1" = --help ]; then
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
out_dir=$1
shift

if [ $# -gt 0 ]; then
  sources=("$@")
else
  shopt -s nullglob
  sources=("$repo"/bpf/*.c)
  shopt -u nullglob
fi
if [ ${#sources[@]} -eq 0 ]; then
  exit 0 # nothing to build yet
fi

clang=$(command -v clang || true)
if [ -z "$clang" ]; then
  echo "build-bpf: clang not found on PATH: the BPF programs need Debian packages clang libbpf-dev linux-libc-dev (scripts/install-deps.sh installs them)" >&2
  exit 1
fi
for header in /usr/include/bpf/bpf_helpers.h /usr/include/linux/bpf.h; do
  [ -f "$header" ] || { echo "build-bpf: $header is missing: install Debian packages libbpf-dev linux-libc-dev (scripts/install-deps.sh installs them)" >&2; exit 1; }
done

mkdir -p "$out_dir"
flags=(-O2 -g -Wall -Werror -target bpf -I "$repo/bpf/include" -I /usr/include/x86_64-linux-gnu)
for source in "${sources[@]}"; do
  [ -f "$source" ] || { echo "build-bpf: $source: no such file" >&2; exit 1; }
  name=$(basename "$source" .c)
  if ! "$clang" "${flags[@]}" -c "$source" -o "$out_dir/$name.o"; then
    rm -f "$out_dir/$name.o"
    echo "build-bpf: compiling $source failed (see clang's messages above)" >&2
    exit 1
  fi
done
