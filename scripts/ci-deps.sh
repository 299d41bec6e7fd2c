#!/usr/bin/env bash
# System packages the tests need (Debian): OpenSSH's sshd for real servers, Chromium for e2e, rsync for
# the benchmarks, iproute2/e2fsprogs for the faults suite, systemd-analyze/xmllint/faketime for the scheduler
# service, tar/findutils/coreutils on the "servers". Idempotent; needs root
# or sudo (CI and this machine run as root). `npm test` runs it with --check first and installs through it
# when it can.
set -euo pipefail
need=()
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh-keygen >/dev/null || need+=(openssh-client)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v rsync >/dev/null || need+=(rsync)
command -v inotifywait >/dev/null || need+=(inotify-tools)
# The faults suite: network namespaces and tc (iproute2), chattr (e2fsprogs); bench: GNU time.
command -v ip >/dev/null && command -v tc >/dev/null && command -v ss >/dev/null || need+=(iproute2)
command -v chattr >/dev/null || need+=(e2fsprogs)
[ -x /usr/bin/time ] || need+=(time)
# The faults suite watches the servers' fsync calls with strace.
command -v strace >/dev/null || need+=(strace)
# Hardened-server tests: sudo for the test accounts; getfacl/setfacl and getfattr/setfattr for the
# metadata tests (ACLs and xattrs in the generated trees).
[ -x /usr/bin/sudo ] || need+=(sudo)
command -v setfacl >/dev/null || need+=(acl)
command -v setfattr >/dev/null || need+=(attr)
# The scheduler service: systemd-analyze checks the generated unit, xmllint the plist and task XML,
# faketime runs the unit's command on a clock set just before a schedule entry.
command -v systemd-analyze >/dev/null || need+=(systemd)
command -v xmllint >/dev/null || need+=(libxml2-utils)
command -v faketime >/dev/null || need+=(faketime)
# Non-POSIX login shells (capability probes), and Debian's Ansible (with ansible.posix) for the export test.
[ -x /usr/bin/csh ] || need+=(csh)
[ -x /usr/bin/fish ] || need+=(fish)
[ -x /usr/bin/ansible-playbook ] || need+=(ansible)
# --check: only say what is missing (one package name a line, and /run/sshd), exit 1 when anything is.
if [ "${1:-}" = "--check" ]; then
  [ -d /run/sshd ] || need+=(/run/sshd)
  [ ${#need[@]} -eq 0 ] && exit 0
  printf '%s\n' "${need[@]}"
  exit 1
fi
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
install -d -m 0755 /run/sshd 2>/dev/null || sudo install -d -m 0755 /run/sshd
echo "system packages ready: sshd $(/usr/sbin/sshd -V 2>&1 | head -1), $(/usr/bin/chromium --version 2>/dev/null), $(rsync --version | head -1)"
