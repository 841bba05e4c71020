#!/usr/bin/env bash
# Writes a JMX exporter agent configuration that serves the metrics over TLS with basic authentication:
#   echo -n 'the scrape password' | examples/secure-agent/make-config.sh prometheus /path/to/private/dir
# The password is read from standard input (never from the command line); the salt is random unless
# AGENT_AUTH_SALT gives one. The directory receives
#   agent-keystore.p12           a self-signed certificate for localhost and 127.0.0.1 (mode 600)
#   jmx-exporter-secure.yaml     http-server.yaml filled in, then the rules of jmx-exporter-config.yaml (mode 600)
# Start the JVM with -javaagent:jmx_prometheus_javaagent-1.0.1.jar=127.0.0.1:9090:<dir>/jmx-exporter-secure.yaml
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
username="${1:-}"
dir="${2:-}"
[ -n "$username" ] && [ -n "$dir" ] || { echo "usage: $0 USERNAME OUTPUT_DIR  (password on standard input)" >&2; exit 2; }
case "$username" in *[!A-Za-z0-9._-]*) echo "make-config: USERNAME may hold only A-Z a-z 0-9 . _ -" >&2; exit 2 ;; esac
command -v keytool >/dev/null || { echo "make-config: keytool (from a JDK) is needed" >&2; exit 1; }
command -v sha256sum >/dev/null || { echo "make-config: sha256sum (coreutils) is needed" >&2; exit 1; }
password="$(cat)"
[ -n "$password" ] || { echo "make-config: give the password on standard input" >&2; exit 2; }

umask 077
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
keystore="$dir/agent-keystore.p12"
store_password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')"
salt="${AGENT_AUTH_SALT:-$(head -c 12 /dev/urandom | base64 | tr -d '/+=\n')}"
case "$salt" in ''|*[!A-Za-z0-9]*) echo "make-config: AGENT_AUTH_SALT may hold only A-Z a-z 0-9" >&2; exit 2 ;; esac
# Agent 1.0.1 formats the digest it computes as a number (BigInteger.toString(16)), so a hash that starts with
# 0 must be written without its leading zeros, or the right password is refused (1 salt in 16).
hash="$(printf '%s:%s' "$salt" "$password" | sha256sum | cut -d' ' -f1 | sed 's/^0*//')"
rm -f "$keystore"
keytool -genkeypair -alias jmx-exporter -keyalg EC -groupname secp256r1 -validity 825 -dname CN=localhost \
  -ext SAN=dns:localhost,ip:127.0.0.1 -storetype PKCS12 -keystore "$keystore" \
  -storepass "$store_password" -keypass "$store_password" >/dev/null 2>&1
sed -e "s|@USERNAME@|$username|" -e "s|@SALT@|$salt|" -e "s|@PASSWORD_HASH@|$hash|" \
    -e "s|@KEYSTORE@|$keystore|" -e "s|@KEYSTORE_PASSWORD@|$store_password|" \
    "$ROOT/examples/secure-agent/http-server.yaml" > "$dir/jmx-exporter-secure.yaml"
grep -v '^#' "$ROOT/jmx-exporter-config.yaml" >> "$dir/jmx-exporter-secure.yaml"
echo "Wrote $dir/jmx-exporter-secure.yaml and $keystore"
