#!/usr/bin/env bash
# Builds the Debian package calico_<version>_amd64.deb from the binaries ./build.sh put in out/bin/ and the
# files under packaging/ (units, /etc/calico, the default CNI network). Builds nothing else and installs nothing.
#
#   scripts/build-deb.sh [--bin-dir DIR] [--out-dir DIR] [--version VERSION]
#
# --bin-dir   the binaries (default out/bin): calicoctl, calico-node, calico-kube-controllers, goldmane, calico,
#             the shared libraries (*.so) that sit beside them, and the BPF programs in bpf/ (one <name>.o per
#             bpf/<name>.c of the repository)
# --out-dir   where the .deb is written (default out)
# --version   the package version (default 0.1.0+git<commit date>.<commit>, or 0.1.0 outside git)
#
# Layout: the binaries and their libraries in /usr/lib/calico (SQLite loads from beside the binary), the BPF
# programs in /usr/lib/calico/bpf (calico-node looks beside itself; CALICO_BPF_DIR overrides), symbolic
# links in /usr/bin; the CNI plugin in /opt/cni/bin with calico-ipam as a hard link (the plugin answers by its own
# name, which a symbolic link would not keep) and its libraries beside it; units in /lib/systemd/system; every file
# under /etc is a conffile. Prints the path of the package.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

bin_dir=$repo/out/bin
out_dir=$repo/out
version=
while [ $# -gt 0 ]; do
  case $1 in
    --bin-dir|--out-dir|--version)
      [ $# -ge 2 ] && [ -n "$2" ] || { echo "build-deb: $1 needs a value" >&2; exit 2; }
      case $1 in
        --bin-dir) bin_dir=$2 ;;
        --out-dir) out_dir=$2 ;;
        --version) version=$2 ;;
      esac
      shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-deb: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

if [ -z "$version" ]; then
  if git -C "$repo" rev-parse --verify -q HEAD >/dev/null 2>&1; then
    version="0.1.0+git$(git -C "$repo" log -1 --format=%cd --date=format:%Y%m%d).$(git -C "$repo" rev-parse --short HEAD)"
  else
    version=0.1.0
  fi
fi
# Debian's version syntax (upstream part only): a digit first, then alphanumerics and . + ~ -
if ! [[ $version =~ ^[0-9][A-Za-z0-9.+~-]*$ ]]; then
  echo "build-deb: --version '$version' is not a Debian version (a digit, then letters, digits, . + ~ -)" >&2
  exit 2
fi

command -v dpkg-deb >/dev/null || { echo "build-deb: dpkg-deb not found (Debian package dpkg)" >&2; exit 1; }
[ -d "$bin_dir" ] || { echo "build-deb: --bin-dir '$bin_dir' does not exist (run ./build.sh first)" >&2; exit 1; }
programs=(calicoctl calico-node calico-kube-controllers goldmane)
for b in "${programs[@]}" calico; do
  [ -f "$bin_dir/$b" ] || { echo "build-deb: $bin_dir/$b is missing (run ./build.sh first)" >&2; exit 1; }
done
# SQLite's native library: calico-node's embedded store, calicoctl and the CNI plugin load it from beside themselves.
[ -f "$bin_dir/libe_sqlite3.so" ] || { echo "build-deb: $bin_dir/libe_sqlite3.so is missing (run ./build.sh first)" >&2; exit 1; }
shopt -s nullglob
libraries=("$bin_dir"/*.so)
bpf_sources=("$repo"/bpf/*.c)
shopt -u nullglob
# Every BPF program of the repository ships: a missing object would only show when calico-node loads it.
bpf_objects=()
for source in "${bpf_sources[@]}"; do
  object=$bin_dir/bpf/$(basename "$source" .c).o
  [ -f "$object" ] || { echo "build-deb: $object is missing (run ./build.sh first; it compiles $source)" >&2; exit 1; }
  bpf_objects+=("$object")
done

mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
stage=$(mktemp -d "${TMPDIR:-/tmp}/calico-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/root
pkg=$repo/packaging

install -d -m 0755 "$root/usr/lib/calico" "$root/usr/bin" "$root/opt/cni/bin" "$root/lib/systemd/system" \
  "$root/etc/calico" "$root/etc/cni/net.d" "$root/usr/share/doc/calico" "$root/DEBIAN"
for b in "${programs[@]}"; do
  install -m 0755 "$bin_dir/$b" "$root/usr/lib/calico/$b"
  ln -s "../lib/calico/$b" "$root/usr/bin/$b"
done
install -m 0755 "$bin_dir/calico" "$root/opt/cni/bin/calico"
ln "$root/opt/cni/bin/calico" "$root/opt/cni/bin/calico-ipam"
if [ ${#bpf_objects[@]} -gt 0 ]; then
  install -d -m 0755 "$root/usr/lib/calico/bpf"
  install -m 0644 "${bpf_objects[@]}" "$root/usr/lib/calico/bpf/"
fi
for lib in "${libraries[@]}"; do
  install -m 0644 "$lib" "$root/usr/lib/calico/"
  install -m 0644 "$lib" "$root/opt/cni/bin/"
done

install -m 0644 "$pkg"/systemd/*.service "$root/lib/systemd/system/"
# calico.env and calicoctl.cfg may hold etcd credentials (ETCD_PASSWORD, etcdPassword): root only.
install -m 0600 "$pkg/etc/calico/calico.env" "$pkg/etc/calico/calicoctl.cfg" "$root/etc/calico/"
install -m 0644 "$pkg/etc/calico/goldmane.env" "$root/etc/calico/"
install -m 0644 "$pkg/etc/cni/net.d/10-calico.conflist" "$root/etc/cni/net.d/"
install -m 0644 "$repo/docs/install.md" "$repo/docs/calico-node.md" "$repo/docs/cni.md" "$root/usr/share/doc/calico/"

installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$installed_size/" "$pkg/debian/control.in" > "$root/DEBIAN/control"
(cd "$root" && find etc -type f | sort | sed 's|^|/|') > "$root/DEBIAN/conffiles"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort | xargs md5sum) > "$root/DEBIAN/md5sums"
install -m 0755 "$pkg/debian/postinst" "$pkg/debian/prerm" "$pkg/debian/postrm" "$root/DEBIAN/"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

deb=$out_dir/calico_${version}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
