#!/usr/bin/env bash
# The quick start: a lab of three hosts (network namespaces, each running calico-node), one workload per host,
# who-reaches-whom with real packets, a network policy, the same matrix again, and the denied connection found in
# the flow logs (the lab's aggregator, its web view and calicoctl flows). Uses the installed binaries (setup.sh
# installs them). Re-runnable: an existing quickstart lab is taken down first.
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
up=$(lab up --hosts 3 --encapsulation vxlan-crosssubnet); echo "$up"
# The flow aggregator's endpoints, reachable from this machine (up prints them).
flows_grpc=$(sed -n 's/^flows gRPC: //p' <<<"$up")
flows_web=$(sed -n 's/^flows web: //p' <<<"$up")

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

say "calico-lab matrix --name $LAB   (rows: from, columns: to; . allowed, X denied, o not listening)"
lab matrix

say "policy: only the backend may talk to the db, on TCP 5432; everything else to the db is denied"
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
      ports: [5432]
  - action: Deny'
echo "$policy"
echo "$policy" | calicoctl apply -f -
denied() { ! reaches demo/frontend "$db_ip" 5432; }
wait_for denied

say "calico-lab matrix --name $LAB   (after the policy)"
lab matrix

# Every calico-node reports its flows to the lab's aggregator every 15 s (flowLogsFlushInterval): poll until the
# denied frontend -> db connection is there, with the rule that denied it.
say "flow logs: calicoctl flows --action Deny --since 1m   (web view: $flows_web)"
export CALICO_FLOWS_SERVER=$flows_grpc
denied_flow=""
deadline=$((SECONDS + 25))
while [ "$SECONDS" -lt "$deadline" ]; do
  denied_flow=$(calicoctl flows --action Deny --since 1m 2>&1 || true)
  if grep -q 'demo/frontend.*demo/db.*db-from-backend' <<<"$denied_flow"; then break; fi
  sleep 1
done
echo "$denied_flow"
if ! grep -q 'demo/frontend.*demo/db.*db-from-backend' <<<"$denied_flow"; then
  echo "quickstart.sh: the denied demo/frontend -> demo/db connection did not reach the flow aggregator within 25 s" >&2
  exit 1
fi
echo "web view of the live flows (enforced and pending traces): $flows_web"

cat <<TXT

== what to try next
  export DATASTORE_TYPE=embedded CALICO_DATASTORE_PATH=$CALICO_DATASTORE_PATH CALICO_FLOWS_SERVER=$flows_grpc
  calicoctl flows --since 5m -o wide          # every flow with packets, bytes, enforced and pending traces
  calicoctl flows --action Deny -o yaml
  open $flows_web in a browser on this machine (the web view)
  calicoctl get workloadendpoints -A -o wide
  calicoctl get networkpolicy -n demo -o yaml
  ip netns exec $LAB-host1 env CALICO_BIRD_SOCKET=/var/run/calico-lab/$LAB/host1/bird.ctl calicoctl node status
  calico-lab matrix --name $LAB
  calico-lab exec --name $LAB demo/frontend -- ip addr
  calico-lab down --name $LAB
TXT
