#!/usr/bin/env bash
# Builds every binary into out/bin/ as a self-contained Native AOT executable, and nothing else:
# it installs and starts nothing of the product (setup.sh does that).
set -euo pipefail
cd "$(dirname "$0")"

# Native AOT links with clang; zlib is a link-time dependency of the runtime.
if ! command -v clang >/dev/null 2>&1 || ! dpkg-query -W zlib1g-dev >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang zlib1g-dev >/dev/null
  else
    echo "build.sh: Native AOT needs clang and zlib1g-dev (apt-get install clang zlib1g-dev)" >&2
    exit 1
  fi
fi

mkdir -p out/bin
# project folder -> binary name; later issues add calico-node, calico (+ calico-ipam), calico-lab.
binaries=(
  "src/Calico.Ctl:calicoctl"
  "src/Calico.Node:calico-node"
  "src/Calico.Cni:calico"
  "src/Calico.Lab:calico-lab"
  "src/Calico.Goldmane:goldmane"
  "src/Calico.KubeControllers:calico-kube-controllers"
)
for entry in "${binaries[@]}"; do
  dir=${entry%%:*}; name=${entry##*:}
  [ -d "$dir" ] || continue
  echo "build.sh: $name"
  dotnet publish "$dir" -c Release -r linux-x64 -p:PublishAot=true -o "out/obj-publish/$name" -nologo -v quiet
  install -m 0755 "out/obj-publish/$name/$name" "out/bin/$name"
  # Shared native libraries (SQLite) may sit beside the binaries.
  find "out/obj-publish/$name" -maxdepth 1 -name '*.so' -exec install -m 0644 {} out/bin/ \;
done
# The BPF dataplane's programs (bpf/*.c -> bpf/<name>.o), found by calico-node in bpf/ beside itself.
scripts/build-bpf.sh out/bin/bpf
# One binary answers as both CNI plugins; calico-ipam is a hard link, never a symlink.
if [ -f out/bin/calico ]; then ln -f out/bin/calico out/bin/calico-ipam; fi
ls -la out/bin
