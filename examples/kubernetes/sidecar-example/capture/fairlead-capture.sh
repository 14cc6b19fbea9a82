#!/bin/sh
# Fairlead outbound capture: redirects the pod's outbound TCP connections to the Envoy sidecar's
# capture listener (0.0.0.0:15001, use_original_dst). Envoy reads the original destination
# (SO_ORIGINAL_DST) and hands the connection to the listener of that ClusterIP:port; unknown
# destinations pass through to where they were going.
#
# Runs once per pod, in an init container with NET_ADMIN and NET_RAW, before any other
# container starts. Only the nat table's OUTPUT chain of the pod's own network namespace is
# touched. Safe to run again: it removes its own chains first.
#
# Not redirected:
#   - connections made by Envoy itself (its UID): upstream connections and xDS; without this,
#     Envoy's own connections would loop back into it;
#   - loopback destinations (127.0.0.0/8): the app talking to itself, Envoy's admin port;
#   - FAIRLEAD_EXCLUDE_PORTS and FAIRLEAD_EXCLUDE_CIDRS;
#   - UDP (DNS keeps working as before), inbound traffic, and IPv6 (the capture listener is
#     IPv4 only).
#
# Settings (environment):
#   FAIRLEAD_PROXY_UID      UID Envoy runs as (default 1337)
#   FAIRLEAD_CAPTURE_PORT   port of Envoy's capture listener (default 15001)
#   FAIRLEAD_EXCLUDE_PORTS  comma list of destination ports never redirected (default none)
#   FAIRLEAD_EXCLUDE_CIDRS  comma list of destination IPv4 CIDRs never redirected (default none)
#   FAIRLEAD_IPTABLES       iptables command (default iptables)
#   FAIRLEAD_CAPTURE_DRY_RUN=1  print the commands instead of running them
set -eu

PROXY_UID="${FAIRLEAD_PROXY_UID:-1337}"
CAPTURE_PORT="${FAIRLEAD_CAPTURE_PORT:-15001}"
EXCLUDE_PORTS="${FAIRLEAD_EXCLUDE_PORTS:-}"
EXCLUDE_CIDRS="${FAIRLEAD_EXCLUDE_CIDRS:-}"
IPTABLES="${FAIRLEAD_IPTABLES:-iptables}"

fail() {
  echo "fairlead-capture: $*" >&2
  exit 2
}

is_number() {
  case "$1" in
    '' | *[!0-9]*) return 1 ;;
    *) return 0 ;;
  esac
}

is_port() {
  is_number "$1" && [ "$1" -ge 1 ] && [ "$1" -le 65535 ]
}

is_ipv4_cidr() {
  # a.b.c.d/n: four numbers up to 255, then a prefix length up to 32
  addr="${1%/*}"
  bits="${1#*/}"
  [ "$addr" != "$1" ] || return 1
  is_number "$bits" && [ "$bits" -le 32 ] || return 1
  cidr_ifs="$IFS"
  IFS=.
  # shellcheck disable=SC2086 # splitting on dots is the point
  set -- $addr
  IFS="$cidr_ifs"
  [ "$#" -eq 4 ] || return 1
  for octet in "$@"; do
    is_number "$octet" && [ "$octet" -le 255 ] || return 1
  done
}

is_number "$PROXY_UID" || fail "FAIRLEAD_PROXY_UID must be a number, not '$PROXY_UID'"
is_port "$CAPTURE_PORT" || fail "FAIRLEAD_CAPTURE_PORT must be a port (1-65535), not '$CAPTURE_PORT'"

# Comma lists become word lists; every entry is checked before any rule is touched, since a
# half-applied capture is worse than none.
EXCLUDE_PORTS=$(echo "$EXCLUDE_PORTS" | tr ',' ' ')
EXCLUDE_CIDRS=$(echo "$EXCLUDE_CIDRS" | tr ',' ' ')
for port in $EXCLUDE_PORTS; do
  is_port "$port" || fail "FAIRLEAD_EXCLUDE_PORTS: '$port' is not a port (1-65535)"
done
for cidr in $EXCLUDE_CIDRS; do
  is_ipv4_cidr "$cidr" || fail "FAIRLEAD_EXCLUDE_CIDRS: '$cidr' is not an IPv4 CIDR (a.b.c.d/n)"
done

ipt() {
  if [ "${FAIRLEAD_CAPTURE_DRY_RUN:-0}" = 1 ]; then
    echo "$IPTABLES $*"
  else
    "$IPTABLES" "$@"
  fi
}

# Leave no rule of an earlier run behind (a restarted init container shares the namespace).
if [ "${FAIRLEAD_CAPTURE_DRY_RUN:-0}" != 1 ]; then
  while "$IPTABLES" -t nat -D OUTPUT -p tcp -j FAIRLEAD_OUTPUT 2>/dev/null; do :; done
  for chain in FAIRLEAD_OUTPUT FAIRLEAD_REDIRECT; do
    "$IPTABLES" -t nat -F "$chain" 2>/dev/null || true
    "$IPTABLES" -t nat -X "$chain" 2>/dev/null || true
  done
fi

ipt -t nat -N FAIRLEAD_REDIRECT
ipt -t nat -A FAIRLEAD_REDIRECT -p tcp -j REDIRECT --to-ports "$CAPTURE_PORT"

ipt -t nat -N FAIRLEAD_OUTPUT
# Envoy's own connections leave untouched.
ipt -t nat -A FAIRLEAD_OUTPUT -m owner --uid-owner "$PROXY_UID" -j RETURN
ipt -t nat -A FAIRLEAD_OUTPUT -d 127.0.0.0/8 -j RETURN
for port in $EXCLUDE_PORTS; do
  ipt -t nat -A FAIRLEAD_OUTPUT -p tcp --dport "$port" -j RETURN
done
for cidr in $EXCLUDE_CIDRS; do
  ipt -t nat -A FAIRLEAD_OUTPUT -d "$cidr" -j RETURN
done
ipt -t nat -A FAIRLEAD_OUTPUT -j FAIRLEAD_REDIRECT

ipt -t nat -A OUTPUT -p tcp -j FAIRLEAD_OUTPUT

echo "fairlead-capture: outbound TCP redirected to port $CAPTURE_PORT, except from UID $PROXY_UID" >&2
