#!/usr/bin/env bash
# Installs the Debian packages the project needs to build, run and test. Idempotent: it only
# calls apt-get when something is missing, so test runs do not pay for it.
set -euo pipefail

packages=(
  etcd-server etcd-client   # the etcdv3 datastore (tests start their own on loopback)
  clang zlib1g-dev          # Native AOT linking for the binaries
  iproute2 nftables         # kernel tiers (later issues)
  iputils-ping              # CNI tests ping between containers
  podman runc busybox-static containernetworking-plugins  # CNI tests: a real runtime, an image from busybox
  iperf3                    # dataplane tests and benchmarks: real TCP flows between workloads
  bird2                     # BGP: calico-node runs BIRD 2 with the configuration it renders
  iptables                  # the portmap CNI plugin (port mapping, podman -p, calico-lab --publish) runs it (iptables-nft)
  conntrack                 # conntrack -L / -D: port mapping and doNotTrack tests read the connection table
  chromium                  # the flow web view's tests load the page in headless Chromium
  libbpf1 libbpf-dev linux-libc-dev bpftool  # eBPF dataplane: libbpf loads the programs clang compiles from bpf/ (-target bpf)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages ${missing[*]}; run as root to install them" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts an etcd service on install; the product and the tests run their own.
if systemctl is-active --quiet etcd 2>/dev/null; then systemctl stop etcd || true; systemctl disable etcd >/dev/null 2>&1 || true; fi
# Likewise the Debian bird service: calico-node runs its own BIRD per host with the configuration it renders.
if systemctl is-active --quiet bird 2>/dev/null; then systemctl stop bird || true; systemctl disable bird >/dev/null 2>&1 || true; fi
