#!/usr/bin/env bash
# The Debian package on a fresh Debian 12 (ctest `package_deb`, label `package`; packaging/README.md):
#   1. builds the .deb (scripts/package.sh) and checks its control data;
#   2. unpacks a fresh Debian 12 minbase chroot (debootstrap from the mirror apt uses, plus systemd
#      as on any Debian 12 host; cached as a tarball in the build dir) and runs
#      `systemd-analyze verify` on the installed unit against that tree;
#   3. `apt-get install ./meridian_*.deb` in it (dependencies from Debian) and checks the system
#      user, the files, the conffile, the enabled unit, the data directory and --check-config;
#   4. runs the service as its unit says — systemd cannot run here (PID 1 is not systemd, and a
#      chroot has no init): ExecStart, User=, Group=, WorkingDirectory=, UMask=, LimitNOFILE= and
#      Environment= are read from the installed unit file and applied with chroot + setpriv; sends
#      plaintext points and reads them back over HTTP; reloads with the unit's ExecReload (a
#      federation peer added to the config appears in /api/peers); stops with its KillSignal
#      (exit 0, "stopped cleanly"); starts again and reads the points back; reinstalls the package
#      over itself (postinst's upgrade path: the edited conffile, the data and its owner stay);
#   5. `dpkg -r` (binary gone, conffile and data kept), then `dpkg --purge` (config, data and the
#      unit's enablement gone).
# Usage: deb_test.sh BUILD_DIR SOURCE_DIR. Needs root (debootstrap, chroot, mount). Exit 77 = skip.
set -euo pipefail

build=$(realpath "$1")
src=$(realpath "$2")
work="$build/package-test"
cache="$build/package-cache"  # the chroot tarball and the .debs apt fetched, kept across runs
root="$work/root"
step() { echo "== $*"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: the package test needs root (debootstrap, chroot, mount /proc)"
  exit 77
fi
for tool in debootstrap dpkg-shlibdeps cpack systemd-analyze curl python3 setpriv; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps.sh test)"
done

mkdir -p "$work" "$cache/archives"
service_pid=""
# Unmounts everything mounted under $1 (deepest first), then deletes $1 — never through a mount.
remove_tree() {
  local dir=$1 mnt
  [ -d "$dir" ] || return 0
  for mnt in $(findmnt -n -l -o TARGET | grep "^$dir/" | sort -r); do
    umount "$mnt" 2>/dev/null || umount -l "$mnt" || true
  done
  if findmnt -n -l -o TARGET | grep -q "^$dir/"; then
    echo "not deleting $dir: something is still mounted under it" >&2
    return 1
  fi
  rm -rf "$dir"
}
cleanup() {
  if [ -n "$service_pid" ] && kill -0 "$service_pid" 2>/dev/null; then kill -9 "$service_pid" || true; fi
  remove_tree "$root" || true
  remove_tree "$cache/bootstrap" || true
}
trap cleanup EXIT

# --- 1. The package ---------------------------------------------------------------------------
step "building the package"
deb=$("$src/scripts/package.sh" "$build" | tail -1)
[ -f "$deb" ] || fail "scripts/package.sh made no .deb"
echo "$deb"
version=$(dpkg-deb -f "$deb" Version)
depends=$(dpkg-deb -f "$deb" Depends)
echo "Version: $version"
echo "Depends: $depends"
[ "$(dpkg-deb -f "$deb" Package)" = meridian ] || fail "package name is not meridian"
# (RocksDB is linked statically: its compression libraries appear instead.)
for dep in libyaml-cpp libjemalloc2 libsnappy adduser procps init-system-helpers; do
  echo "$depends" | grep -q "$dep" || fail "Depends lacks $dep"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -t | grep -q '^./conffiles$' || fail "no conffiles in the package"

# --- 2. A fresh Debian 12 -----------------------------------------------------------------------
# The mirror apt uses on this host (deb822 sources or sources.list).
mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | grep -v security | head -1 || true)
if [ -z "$mirror" ]; then
  mirror=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}
tarball="$cache/bookworm-minbase-systemd.tar"
if [ ! -f "$tarball" ]; then
  step "debootstrap --variant=minbase bookworm from $mirror (cached in $tarball)"
  fresh="$cache/bootstrap"
  remove_tree "$fresh"
  debootstrap --variant=minbase --include=systemd bookworm "$fresh" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; fail "debootstrap failed"; }
  cp /etc/resolv.conf "$fresh/etc/resolv.conf"
  chroot "$fresh" apt-get update -qq >"$work/apt-update.log" 2>&1 || fail "apt-get update in the new chroot failed"
  chroot "$fresh" apt-get clean
  tar -C "$fresh" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
  remove_tree "$fresh"
fi
step "unpacking a fresh chroot"
remove_tree "$root"
mkdir -p "$root"
tar -C "$root" -xf "$tarball"
mount -t proc proc "$root/proc"
cp /etc/resolv.conf "$root/etc/resolv.conf"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }

# --- 3. Install ---------------------------------------------------------------------------------
step "apt-get install ./$(basename "$deb")"
cp "$deb" "$root/tmp/"
cp "$cache"/archives/*.deb "$root/var/cache/apt/archives/" 2>/dev/null || true
install_deb() { in_root apt-get install -y --no-install-recommends "/tmp/$(basename "$deb")"; }
if ! install_deb >"$work/install.log" 2>&1; then
  # The cached package lists may be older than the mirror: refresh once.
  in_root apt-get update -qq >>"$work/install.log" 2>&1
  install_deb >>"$work/install.log" 2>&1 || { tail -30 "$work/install.log"; fail "apt-get install failed"; }
fi
cp "$root"/var/cache/apt/archives/*.deb "$cache/archives/" 2>/dev/null || true
in_root dpkg -s meridian | grep -q '^Status: install ok installed' || fail "meridian is not installed"

unit=$(in_root dpkg -L meridian | grep '/systemd/system/meridian\.service$' | head -1)
[ -n "$unit" ] || fail "the package has no meridian.service"
echo "unit: $unit"
# The unit's settings, as systemd reads them (the last assignment of a key wins).
unit_get() { sed -n "s/^$1=//p" "$root$unit" | tail -1; }
user=$(unit_get User)
group=$(unit_get Group)
exec_start=$(unit_get ExecStart)
exec_reload=$(unit_get ExecReload)
kill_signal=$(unit_get KillSignal)
kill_signal=${kill_signal:-SIGTERM}
workdir=$(unit_get WorkingDirectory)
umask_value=$(unit_get UMask)
nofile=$(unit_get LimitNOFILE)
stop_timeout=$(unit_get TimeoutStopSec)
state_dir=$(unit_get StateDirectory)
read -r -a start_argv <<<"$exec_start"
binary=${start_argv[0]}
config=""
for ((i = 0; i < ${#start_argv[@]}; i++)); do
  [ "${start_argv[$i]}" = --config ] && config=${start_argv[$((i + 1))]}
done
echo "User=$user Group=$group ExecStart=$exec_start ExecReload=$exec_reload KillSignal=$kill_signal"
[ -n "$user" ] && [ -n "$group" ] && [ -n "$config" ] || fail "the unit lacks User=, Group= or ExecStart --config"

step "systemd-analyze verify (host systemd, the chroot's unit tree)"
systemd-analyze verify --root="$root" "$unit" >"$work/verify.log" 2>&1 || { cat "$work/verify.log"; fail "systemd-analyze verify failed"; }
if grep -q 'meridian' "$work/verify.log"; then
  cat "$work/verify.log"
  fail "systemd-analyze verify warns about the unit"
fi

step "the user, the files, the conffile, the enabled unit"
passwd=$(in_root getent passwd "$user") || fail "no user $user"
echo "$passwd"
IFS=: read -r _ _ uid _ _ home shell <<<"$passwd"
[ "$uid" -lt 1000 ] || fail "$user is not a system user (uid $uid)"
[ "$home" = "/var/lib/$state_dir" ] || fail "$user's home is $home"
[ "$shell" = /usr/sbin/nologin ] || fail "$user has a login shell ($shell)"
in_root getent group "$group" >/dev/null || fail "no group $group"
[ -x "$root$binary" ] || fail "$binary is not installed"
[ -f "$root$config" ] || fail "$config is not installed"
[ "$config" = /etc/meridian/meridian.yaml ] || fail "the config is at $config"
[ "$binary" = /usr/bin/meridian ] || fail "the binary is at $binary"
[ -f "$root/usr/share/doc/meridian/README.md" ] || fail "no README in /usr/share/doc/meridian"
in_root dpkg-query -W -f='${Conffiles}\n' meridian | grep -q " $config " || fail "$config is not a conffile"
[ -L "$root/etc/systemd/system/multi-user.target.wants/meridian.service" ] || fail "the unit is not enabled"
data_dir="/var/lib/$state_dir"
# Names resolved inside the chroot (the host's passwd has other users at these uids).
[ "$(in_root stat -c '%U:%G %a' "$data_dir")" = "$user:$group 750" ] ||
  fail "$data_dir is $(in_root stat -c '%U:%G %a' "$data_dir")"
grep -q "^data_dir: $data_dir\$" "$root$config" || fail "the config does not keep data in $data_dir"
[ "$(in_root stat -c '%U:%G %a' "$config")" = "root:$group 640" ] ||
  fail "$config is $(in_root stat -c '%U:%G %a' "$config")"
[ "$(in_root "$binary" version)" = "meridian ${version%-*}" ] || fail "meridian version is not ${version%-*}"
# No meridian runs inside the chroot (the PID namespace is shared: other tests' are outside it).
for pid in $(pgrep -x meridian || true); do
  [ "$(readlink "/proc/$pid/root")" != "$root" ] || fail "the postinst started meridian without systemd"
done

# Free loopback ports: the service shares this host's network (other tests run beside it). The
# listeners are edited in the conffile as an administrator would.
read -r gport hport pport <<<"$(python3 -c '
import socket
ports = []
while len(ports) < 3:
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    u = socket.socket(type=socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p)); ports.append(p)
    except OSError:
        pass
    t.close(); u.close()
print(*ports)')"
sed -i "s/listen: \"0.0.0.0:2003\"/listen: \"127.0.0.1:$gport\"/; s/listen: \"0.0.0.0:8080\"/listen: \"127.0.0.1:$hport\"/; s/pickle_listen: \"0.0.0.0:2004\"/pickle_listen: \"127.0.0.1:$pport\"/" "$root$config"
grep -q "127.0.0.1:$gport" "$root$config" && grep -q "127.0.0.1:$hport" "$root$config" &&
  grep -q "127.0.0.1:$pport" "$root$config" || fail "could not set the test ports"

as_service() {
  chroot "$root" setpriv --reuid="$user" --regid="$group" --init-groups -- \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$home" USER="$user" LOGNAME="$user" "$@"
}
step "meridian serve --check-config as $user"
as_service "${start_argv[@]}" --check-config || fail "--check-config fails on the installed config"
cp "$root$config" "$root/tmp/broken.yaml"
chmod 644 "$root/tmp/broken.yaml"
echo "graphite: { listen: nowhere }" >>"$root/tmp/broken.yaml"
if as_service "$binary" serve --check-config --config /tmp/broken.yaml 2>"$work/broken.log"; then
  fail "--check-config accepts a broken config"
fi
grep -q '^/tmp/broken.yaml:[0-9]*: ' "$work/broken.log" || { cat "$work/broken.log"; fail "--check-config error without file:line"; }

# --- 4. The service as its unit runs it ----------------------------------------------------------
env_assignments=()
while IFS= read -r line; do
  # Environment="A=1" B=2 → A=1 B=2 (no quoting beyond one level: enough for this unit).
  for word in $line; do env_assignments+=("${word//\"/}"); done
done < <(sed -n 's/^Environment=//p' "$root$unit")
service_log="$work/service.log"
: >"$service_log"
start_service() {
  # LimitNOFILE= as systemd sets it; this sandbox may cap the hard limit below it (no
  # CAP_SYS_RESOURCE), then its hard limit is what the service gets.
  chroot "$root" /bin/sh -c "{ ulimit -n ${nofile:-1024} 2>/dev/null || ulimit -n \$(ulimit -Hn); } && umask ${umask_value:-0022} && cd ${workdir:-/} &&
    exec setpriv --reuid=$user --regid=$group --init-groups -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
      HOME=$home USER=$user LOGNAME=$user ${env_assignments[*]} $exec_start" >>"$service_log" 2>&1 &
  service_pid=$!
  local deadline=$((SECONDS + 30))
  until curl -fsS "http://127.0.0.1:$hport/health" >/dev/null 2>&1; do
    kill -0 "$service_pid" 2>/dev/null || { cat "$service_log"; fail "the service exited at start"; }
    [ $SECONDS -lt $deadline ] || { cat "$service_log"; fail "no /health within 30 s"; }
    sleep 0.1
  done
}
# Waits (bounded) until the render of $1 holds the value $2.
wait_for_value() {
  local deadline=$((SECONDS + 20))
  until curl -fsS "http://127.0.0.1:$hport/render?target=$1&from=-1h&format=json" 2>/dev/null |
    python3 -c "import json,sys; sys.exit(0 if any(p[0] == $2 for s in json.load(sys.stdin) for p in s['datapoints']) else 1)"; do
    [ $SECONDS -lt $deadline ] || { cat "$service_log"; fail "$1 = $2 not readable within 20 s"; }
    sleep 0.2
  done
}
stop_service() {
  kill "-${kill_signal#SIG}" "$service_pid"
  local deadline=$((SECONDS + ${stop_timeout:-90}))
  while kill -0 "$service_pid" 2>/dev/null; do
    # Reap it if it exited (kill -0 succeeds on a zombie child).
    if [ "$(ps -o stat= -p "$service_pid" 2>/dev/null | cut -c1)" = Z ]; then break; fi
    [ $SECONDS -lt $deadline ] || { cat "$service_log"; fail "no exit within TimeoutStopSec"; }
    sleep 0.1
  done
  local rc=0
  wait "$service_pid" || rc=$?
  service_pid=""
  [ "$rc" -eq 0 ] || { cat "$service_log"; fail "the service exited $rc on $kill_signal"; }
}

step "start ($exec_start as $user:$group in ${workdir:-/})"
start_service
[ "$(ps -o uid= -p "$service_pid" | tr -d ' ')" = "$uid" ] || fail "the service does not run as $user (uid $uid)"
now=$(date +%s)
printf 'pkgtest.cpu.user 12.5 %s\npkgtest.cpu.system 3.25 %s\n' "$now" "$now" >"/dev/tcp/127.0.0.1/$gport"
wait_for_value pkgtest.cpu.user 12.5
wait_for_value pkgtest.cpu.system 3.25
[ -z "$(in_root find "$data_dir" ! -user "$user" -print -quit)" ] || fail "files in $data_dir not owned by $user"

step "reload: $exec_reload"
cat >>"$root$config" <<EOF
federation:
  peers:
    - { name: reload-probe, url: "http://127.0.0.1:9" }
EOF
reload_cmd=${exec_reload//\$MAINPID/$service_pid}
reload_cmd=${reload_cmd//\$\{MAINPID\}/$service_pid}
$reload_cmd
deadline=$((SECONDS + 20))
until curl -fsS "http://127.0.0.1:$hport/api/peers" 2>/dev/null | grep -q reload-probe; do
  [ $SECONDS -lt $deadline ] || { cat "$service_log"; fail "the reload did not re-read the config"; }
  sleep 0.1
done
kill -0 "$service_pid" || fail "the service died on reload"
wait_for_value pkgtest.cpu.user 12.5

step "stop: $kill_signal"
stop_service
grep -q "stopped cleanly" "$service_log" || { cat "$service_log"; fail "no clean stop"; }

step "start again: the points are still there"
start_service
wait_for_value pkgtest.cpu.system 3.25
stop_service

step "reinstall over it (the upgrade path of the scripts): the edited conffile and the data stay"
in_root dpkg -i "/tmp/$(basename "$deb")" </dev/null >"$work/reinstall.log" 2>&1 ||
  { cat "$work/reinstall.log"; fail "dpkg -i over the installed package failed"; }
grep -q "127.0.0.1:$hport" "$root$config" || fail "the reinstall replaced the edited conffile"
[ "$(in_root stat -c '%U:%G %a' "$data_dir")" = "$user:$group 750" ] || fail "the reinstall changed $data_dir"
[ -z "$(in_root find "$data_dir" ! -user "$user" -print -quit)" ] || fail "files in $data_dir not owned by $user"
start_service
wait_for_value pkgtest.cpu.user 12.5
stop_service

# --- 5. Remove, purge ---------------------------------------------------------------------------
step "dpkg -r meridian: the binary goes, the conffile and the data stay"
in_root dpkg -r meridian >"$work/remove.log" 2>&1 || { cat "$work/remove.log"; fail "dpkg -r failed"; }
[ ! -e "$root$binary" ] || fail "$binary is still there after dpkg -r"
[ -f "$root$config" ] || fail "dpkg -r removed the conffile"
[ -n "$(ls -A "$root$data_dir")" ] || fail "dpkg -r removed the data"

step "dpkg --purge meridian: config, data and enablement go"
in_root dpkg --purge meridian >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "dpkg --purge failed"; }
[ ! -e "$root/etc/meridian" ] || fail "/etc/meridian is still there after purge"
[ ! -e "$root$data_dir" ] || fail "$data_dir is still there after purge"
[ ! -e "$root$unit" ] || fail "$unit is still there after purge"
[ ! -e "$root/etc/systemd/system/multi-user.target.wants/meridian.service" ] || fail "the unit is still enabled"
if in_root dpkg -s meridian >/dev/null 2>&1; then fail "dpkg still knows meridian after purge"; fi
echo "PASS: $(basename "$deb") installed, served, reloaded, stopped, removed and purged on Debian 12"
