#!/usr/bin/env bash
# Installs every dependency, builds every binary, installs them, and runs the main job:
# calicoctl against the embedded datastore applies the FAQ's IP pool and lists it back.
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
fi
for b in calico-node calico-lab; do
  [ -f "out/bin/$b" ] && install -m 0755 "out/bin/$b" "/usr/local/bin/$b"
done

# The demo uses its own embedded datastore file so it never touches a real one.
export DATASTORE_TYPE=embedded
export CALICO_DATASTORE_PATH=${CALICO_DATASTORE_PATH:-/var/lib/calico/quickstart.db}
echo "== datastore: embedded, $CALICO_DATASTORE_PATH"
set -x
cat <<YAML | calicoctl apply -f -
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: ippool-1
spec:
  cidr: 192.168.0.0/16
  natOutgoing: true
YAML
calicoctl get ippool -o wide
calicoctl get ippool ippool-1 -o yaml
calicoctl get tier
set +x
echo
echo "Done. Try: DATASTORE_TYPE=embedded CALICO_DATASTORE_PATH=$CALICO_DATASTORE_PATH calicoctl get ippool --export -o yaml > pool.yaml"
