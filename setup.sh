#!/usr/bin/env bash
# Installs every dependency, builds every binary, installs them, and runs the main job: the quick start
# (scripts/quickstart.sh), which leaves a 3-host lab named quickstart up for you to explore.
set -euo pipefail
cd "$(dirname "$0")"

if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: run as root (it installs packages and binaries)" >&2
  exit 1
fi

scripts/install-deps.sh
./build.sh

echo "== installing binaries"
install -m 0755 out/bin/calicoctl /usr/local/bin/calicoctl
for f in out/bin/*.so; do [ -e "$f" ] && install -m 0644 "$f" /usr/local/bin/; done
if [ -f out/bin/calico ]; then
  mkdir -p /opt/cni/bin
  install -m 0755 out/bin/calico /opt/cni/bin/calico
  ln -f /opt/cni/bin/calico /opt/cni/bin/calico-ipam
  # The plugin's embedded datastore loads SQLite from beside itself.
  for f in out/bin/*.so; do [ -e "$f" ] && install -m 0644 "$f" /opt/cni/bin/; done
fi
# goldmane (the flow aggregator) sits beside calico-node, where calico-lab looks for it.
for b in calico-node calico-lab goldmane; do
  [ -f "out/bin/$b" ] && install -m 0755 "out/bin/$b" "/usr/local/bin/$b"
done
# calico-node's BPF programs (the eBPF dataplane, calico-lab up --dataplane bpf): it loads bpf/<name>.o from beside
# itself; the Debian package puts them in /usr/lib/calico/bpf instead.
if compgen -G "out/bin/bpf/*.o" >/dev/null; then
  install -d -m 0755 /usr/local/bin/bpf
  install -m 0644 out/bin/bpf/*.o /usr/local/bin/bpf/
fi

# The main job: the quick start (a 3-host lab, workloads, the matrix, a policy, the matrix again, the denied
# connection in the flow logs).
scripts/quickstart.sh
