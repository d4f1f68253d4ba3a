#!/usr/bin/env bash
# The quick start: a lab of three hosts (network namespaces, each running calico-node), one workload per host,
# who-reaches-whom with real packets, a network policy, and the same matrix again. Uses the installed binaries
# (setup.sh installs them). Re-runnable: an existing quickstart lab is taken down first.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "quickstart.sh: run as root (it creates network namespaces)" >&2
  exit 1
fi

# QUICKSTART_BIN: where calico-lab and calicoctl are (default: where setup.sh installs them).
export PATH="${QUICKSTART_BIN:-/usr/local/bin}:$PATH"
LAB=quickstart
lab() { calico-lab "$1" --name "$LAB" "${@:2}"; }
say() { printf '\n== %s\n' "$*"; }

say "clean slate: calico-lab down --name $LAB"
lab down

# host1 and host2 share a subnet, host3 sits behind the fabric's router: VXLAN CrossSubnet routes the first pair
# natively (BGP) and tunnels to and from host3.
say "calico-lab up --name $LAB --hosts 3 --encapsulation vxlan-crosssubnet"
lab up --hosts 3 --encapsulation vxlan-crosssubnet

say "one workload per host"
address_of() { sed -n 's/^pod [^ ]* on [^:]*: \([0-9.]*\) .*/\1/p' <<<"$1"; }
frontend=$(lab run host1 demo/frontend --labels app=frontend --serve TCP/80); echo "$frontend"
backend=$(lab run host2 demo/backend --labels app=backend --serve TCP/6379); echo "$backend"
db=$(lab run host3 demo/db --labels app=db --serve TCP/5432); echo "$db"
frontend_ip=$(address_of "$frontend"); backend_ip=$(address_of "$backend"); db_ip=$(address_of "$db")

# Connects from a pod to address:port; true when the listener answered within a second.
reaches() { lab exec "$1" -- timeout 1 bash -c "exec 3<>/dev/tcp/$2/$3" >/dev/null 2>&1; }
# Polls (routes and policy take a moment to reach every host's kernel) until the check holds, at most 60 s.
wait_for() {
  for _ in $(seq 1 120); do
    if "$@"; then return 0; fi
    sleep 0.5
  done
  echo "quickstart.sh: gave up waiting for: $*" >&2
  return 1
}
converged() {
  reaches demo/frontend "$db_ip" 5432 && reaches demo/frontend "$backend_ip" 6379 &&
    reaches demo/db "$frontend_ip" 80 && reaches demo/backend "$db_ip" 5432
}
wait_for converged

say "calico-lab matrix --name $LAB   (rows: from, columns: to; . allowed, X denied or nothing listening)"
lab matrix

say "policy: only the backend may talk to the db, on TCP 5432"
export DATASTORE_TYPE=embedded CALICO_DATASTORE_PATH=/var/run/calico-lab/$LAB/calico.db
policy='apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: db-from-backend
  namespace: demo
spec:
  selector: app == '"'db'"'
  types: [Ingress]
  ingress:
  - action: Allow
    protocol: TCP
    source:
      selector: app == '"'backend'"'
    destination:
      ports: [5432]'
echo "$policy"
echo "$policy" | calicoctl apply -f -
denied() { ! reaches demo/frontend "$db_ip" 5432; }
wait_for denied

say "calico-lab matrix --name $LAB   (after the policy)"
lab matrix

cat <<TXT

== what to try next
  export DATASTORE_TYPE=embedded CALICO_DATASTORE_PATH=$CALICO_DATASTORE_PATH
  calicoctl get workloadendpoints -A -o wide
  calicoctl get networkpolicy -n demo -o yaml
  ip netns exec $LAB-host1 env CALICO_BIRD_SOCKET=/var/run/calico-lab/$LAB/host1/bird.ctl calicoctl node status
  calico-lab matrix --name $LAB
  calico-lab exec --name $LAB demo/frontend -- ip addr
  calico-lab down --name $LAB
TXT
