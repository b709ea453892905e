#!/usr/bin/env bash
# Provisioning end to end: provisioning/v2g-pki makes a CA, the aggregator's certificate, two agents and an
# operator, then revokes one agent and the operator. The openssl CLI and curl check the result independently of the script, down to a
# real mutual-TLS handshake on loopback (openssl s_server requiring a client certificate, with the CRL).
# Prints one line per check and ends with "N passed, M failed"; exits non-zero if any check failed.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

pki="$PWD/provisioning/v2g-pki"
work="$(mktemp -d /tmp/v2g-pki-test.XXXXXX)"
ca="$work/ca"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

for tool in openssl curl timeout flock; do
  command -v "$tool" >/dev/null || { echo "test-provisioning: $tool is not installed" >&2; exit 1; }
done

passed=0
failed=0
# check NAME COMMAND...: the command must succeed. On failure its output is shown, indented.
check() {
  local name="$1"
  shift
  if "$@" >"$work/out" 2>&1; then
    echo "ok   $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    sed -n '1,15s/^/     | /p' "$work/out"
    failed=$((failed + 1))
  fi
}
# refuses NAME COMMAND...: the command must fail (non-zero), and must not have been killed by timeout.
refuses() {
  local name="$1" rc=0
  shift
  "$@" >"$work/out" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; then
    echo "ok   $name (exit $rc: $(grep -m1 -o 'error.*' "$work/out" | cut -c1-90))"
    passed=$((passed + 1))
  else
    echo "FAIL $name (exit $rc)"
    sed -n '1,15s/^/     | /p' "$work/out"
    failed=$((failed + 1))
  fi
}

# ---- small predicates, each one command for check/refuses ----
mode_is() { [ "$(stat -c %a "$2")" = "$1" ] || { echo "$2 has mode $(stat -c %a "$2"), expected $1"; return 1; }; }
keys_are_0600() {
  local key bad=0 n=0
  while IFS= read -r key; do
    n=$((n + 1))
    mode_is 600 "$key" || bad=1
  done < <(find "$ca" -name '*.key')
  echo "$n key files"
  [ "$bad" = 0 ] && [ "$n" -ge 7 ]
}
ext_has() { # ext_has CERT EXTENSION PATTERN...: each pattern (ERE) appears in the printed extension
  local cert="$1" ext="$2" text pattern
  shift 2
  text="$(openssl x509 -in "$cert" -noout -ext "$ext")" || return 1
  echo "$text"
  for pattern in "$@"; do grep -Eq "$pattern" <<<"$text" || { echo "missing: $pattern"; return 1; }; done
}
subject_is() { [ "$(openssl x509 -in "$1" -noout -subject -nameopt RFC2253)" = "subject=$2" ]; }
verify_ok() { local out; out="$(openssl verify "$@" 2>&1)" && echo "$out" && grep -q ': OK$' <<<"$out" && ! grep -qi error <<<"$out"; }
verify_fails_with() { # verify_fails_with REASON ARGS...: openssl verify fails and names REASON
  local reason="$1" out
  shift
  if out="$(openssl verify "$@" 2>&1)"; then echo "$out"; return 1; fi
  echo "$out"
  grep -q "$reason" <<<"$out"
}
same_file() { cmp -s "$1" "$2"; }
crl_lists() { openssl crl -in "$1" -noout -text | tr -d ' ' | grep -A4 -i "SerialNumber:$2\$" | grep -qi "$3"; }
list_shows() { local out; out="$("$pki" list --dir "$ca")" && echo "$out" && grep -Eq "^$1 +$2 +agent +$3 " <<<"$out"; }
serial_of() { openssl x509 -in "$1" -noout -serial | cut -d= -f2; }

# ---- 1. the CA ----
check "init-ca makes a CA" "$pki" init-ca --dir "$ca" --name "v2g test CA" --days 3650
check "CA basicConstraints critical CA:TRUE pathlen:0" \
  ext_has "$ca/ca.crt" basicConstraints 'critical' 'CA:TRUE, pathlen:0'
check "CA keyUsage critical keyCertSign cRLSign" \
  ext_has "$ca/ca.crt" keyUsage 'critical' 'Certificate Sign, CRL Sign'
check "CA key is EC P-256" sh -c "openssl pkey -in '$ca/private/ca.key' -noout -text | grep -q 'NIST CURVE: P-256'"
check "CA key mode 0600" mode_is 600 "$ca/private/ca.key"
check "CA private/ is 0700" mode_is 700 "$ca/private"
check "initial CRL is signed by the CA and has a nextUpdate" \
  sh -c "openssl crl -in '$ca/crl.pem' -CAfile '$ca/ca.crt' -noout -nextupdate 2>&1 | grep -q 'verify OK' &&
         openssl crl -in '$ca/crl.pem' -noout -nextupdate | grep -q '^nextUpdate=[A-Z]'"
refuses "init-ca over an existing CA is refused" "$pki" init-ca --dir "$ca"

# ---- 2. the aggregator's certificate ----
check "issue-server aggregator.example --ip 127.0.0.1" \
  "$pki" issue-server --dir "$ca" --name aggregator.example --ip 127.0.0.1 --dns localhost
server_crt="$ca/servers/aggregator.example.crt"
server_key="$ca/servers/aggregator.example.key"
check "server SAN has IP 127.0.0.1 and DNS names" \
  ext_has "$server_crt" subjectAltName 'IP Address:127\.0\.0\.1' 'DNS:aggregator\.example' 'DNS:localhost'
check "server EKU serverAuth only" ext_has "$server_crt" extendedKeyUsage '^ *TLS Web Server Authentication$'
check "server keyUsage critical digitalSignature" ext_has "$server_crt" keyUsage 'critical' '^ *Digital Signature$'
check "server cert verifies for purpose sslserver" \
  verify_ok -CAfile "$ca/ca.crt" -purpose sslserver "$server_crt"

# ---- 3. two agents ----
check "issue-agent tx-001" "$pki" issue-agent --dir "$ca" --agent-id tx-001
check "issue-agent tx-002" "$pki" issue-agent --dir "$ca" --agent-id tx-002
for id in tx-001 tx-002; do
  check "$id bound as SAN URI urn:v2g:agent:$id" ext_has "$ca/agents/$id.crt" subjectAltName "^ *URI:urn:v2g:agent:$id\$"
  check "$id bound as CN=$id" subject_is "$ca/agents/$id.crt" "CN=$id,OU=v2g-agent"
  check "$id keyUsage critical digitalSignature" ext_has "$ca/agents/$id.crt" keyUsage 'critical' '^ *Digital Signature$'
  check "$id EKU clientAuth only" ext_has "$ca/agents/$id.crt" extendedKeyUsage '^ *TLS Web Client Authentication$'
  check "$id kit holds ca.crt, agent.crt, agent.key (the issued pair)" \
    sh -c "cmp -s '$ca/kits/agent-$id/ca.crt' '$ca/ca.crt' && cmp -s '$ca/kits/agent-$id/agent.crt' '$ca/agents/$id.crt' &&
           cmp -s '$ca/kits/agent-$id/agent.key' '$ca/agents/$id.key' &&
           [ \"\$(openssl pkey -in '$ca/agents/$id.key' -pubout)\" = \"\$(openssl x509 -in '$ca/agents/$id.crt' -noout -pubkey)\" ]"
  check "$id verifies (-CAfile, purpose sslclient) before revocation" \
    verify_ok -CAfile "$ca/ca.crt" -purpose sslclient "$ca/agents/$id.crt"
done
check "agent cert does not pass as a TLS server" \
  verify_fails_with 'unsuitable certificate purpose' -CAfile "$ca/ca.crt" -purpose sslserver "$ca/agents/tx-001.crt"

# ---- 3b. an operator (v2g-adm rollout): its own OU and URI, never an agent's ----
check "issue-operator j.doe" "$pki" issue-operator --dir "$ca" --name j.doe
check "operator bound as SAN URI urn:v2g:operator:j.doe (and no agent URI)" \
  sh -c "openssl x509 -in '$ca/operators/j.doe.crt' -noout -ext subjectAltName | grep -Eq '^ *URI:urn:v2g:operator:j\.doe\$' &&
         ! openssl x509 -in '$ca/operators/j.doe.crt' -noout -ext subjectAltName | grep -q 'urn:v2g:agent:'"
check "operator bound as CN=j.doe with OU=v2g-operator" subject_is "$ca/operators/j.doe.crt" "CN=j.doe,OU=v2g-operator"
check "operator EKU clientAuth only" ext_has "$ca/operators/j.doe.crt" extendedKeyUsage '^ *TLS Web Client Authentication$'
check "operator keyUsage critical digitalSignature" ext_has "$ca/operators/j.doe.crt" keyUsage 'critical' '^ *Digital Signature$'
check "operator kit holds ca.crt, operator.crt, operator.key (the issued pair)" \
  sh -c "cmp -s '$ca/kits/operator-j.doe/ca.crt' '$ca/ca.crt' && cmp -s '$ca/kits/operator-j.doe/operator.crt' '$ca/operators/j.doe.crt' &&
         [ \"\$(openssl pkey -in '$ca/kits/operator-j.doe/operator.key' -pubout)\" = \"\$(openssl x509 -in '$ca/operators/j.doe.crt' -noout -pubkey)\" ]"
check "operator verifies (-CAfile, purpose sslclient)" verify_ok -CAfile "$ca/ca.crt" -purpose sslclient "$ca/operators/j.doe.crt"
check "list shows j.doe as an operator" \
  sh -c "'$pki' list --dir '$ca' | grep -Eq '^[0-9A-F]+ +valid +operator +j\.doe '"
refuses "duplicate operator without --force" "$pki" issue-operator --dir "$ca" --name j.doe
refuses "operator name with a slash" "$pki" issue-operator --dir "$ca" --name 'ops/1'
refuses "operator name '..'" "$pki" issue-operator --dir "$ca" --name ..
echo "p12 passphrase" > "$work/p12-password"
: > "$work/p12-empty"
check "export-p12 writes the operator's PKCS#12 (certificate, key, CA) at 0600" \
  sh -c "'$pki' export-p12 --kit '$ca/kits/operator-j.doe' --out '$work/j.doe.p12' --password-file '$work/p12-password' &&
         [ \"\$(stat -c %a '$work/j.doe.p12')\" = 600 ] &&
         [ \"\$(openssl pkcs12 -in '$work/j.doe.p12' -passin 'file:$work/p12-password' -nodes 2>/dev/null | grep -c -- '-----BEGIN')\" = 3 ]"
refuses "export-p12 of a folder that is not an operator kit" "$pki" export-p12 --kit "$ca" --out "$work/x.p12" --password-file "$work/p12-password"
refuses "export-p12 with an empty password" "$pki" export-p12 --kit "$ca/kits/operator-j.doe" --out "$work/x.p12" --password-file "$work/p12-empty"
refuses "revoke with two kinds at once" "$pki" revoke --dir "$ca" --operator j.doe --agent-id tx-001
check "no folder is called bundles any more (kits/ holds the per-host folders)" \
  sh -c "[ ! -e '$ca/bundles' ] && [ -d '$ca/kits' ]"
check "every key file is 0600 (agents, operators, kits, server, CA)" keys_are_0600

# ---- 4. bad inputs fail clearly ----
cp "$ca/agents/tx-001.key" "$work/tx-001.key.before"
refuses "unknown subcommand" "$pki" frobnicate --dir "$ca"
refuses "missing --dir" "$pki" issue-agent --agent-id tx-009
refuses "--dir that is not a CA" "$pki" issue-agent --dir "$work" --agent-id tx-009
refuses "agent id with a slash" "$pki" issue-agent --dir "$ca" --agent-id 'tx/009'
refuses "agent id with a space" "$pki" issue-agent --dir "$ca" --agent-id 'tx 009'
refuses "agent id '..'" "$pki" issue-agent --dir "$ca" --agent-id ..
refuses "empty agent id" "$pki" issue-agent --dir "$ca" --agent-id ''
refuses "agent id of 65 characters" "$pki" issue-agent --dir "$ca" --agent-id "$(printf 'a%.0s' {1..65})"
check "agent id of 64 characters is accepted" "$pki" issue-agent --dir "$ca" --agent-id "$(printf 'b%.0s' {1..64})"
refuses "duplicate agent id without --force" "$pki" issue-agent --dir "$ca" --agent-id tx-001
check "the refused duplicate left tx-001's key untouched" same_file "$ca/agents/tx-001.key" "$work/tx-001.key.before"
refuses "revoke of an unknown agent id" "$pki" revoke --dir "$ca" --agent-id tx-404
refuses "revoke with an unknown reason" "$pki" revoke --dir "$ca" --agent-id tx-002 --reason because
refuses "a certificate outliving the CA" "$pki" issue-agent --dir "$ca" --agent-id tx-010 --days 5000
refuses "bad IP address" "$pki" issue-server --dir "$ca" --name other.example --ip 300.1.1.1

# The kits as the controllers (and the operator) hold them (revoking deletes the CA machine's copy of the key).
for id in tx-001 tx-002; do cp -r "$ca/kits/agent-$id" "$work/controller-$id"; done
cp -r "$ca/kits/operator-j.doe" "$work/operator-j.doe"
operator="$work/operator-j.doe"
good="$work/controller-tx-001"
revoked="$work/controller-tx-002"

# ---- 5. revocation ----
revoked_serial="$(serial_of "$revoked/agent.crt")"
check "revoke tx-002 --reason keyCompromise" "$pki" revoke --dir "$ca" --agent-id tx-002 --reason keyCompromise
check "crl regenerates the CRL" "$pki" crl --dir "$ca"
check "CRL lists tx-002's serial with keyCompromise" crl_lists "$ca/crl.pem" "$revoked_serial" keyCompromise
check "CRL is signed by the CA and has a nextUpdate" \
  sh -c "openssl crl -in '$ca/crl.pem' -CAfile '$ca/ca.crt' -noout 2>&1 | grep -q 'verify OK' &&
         openssl crl -in '$ca/crl.pem' -noout -nextupdate | grep -q '^nextUpdate=[A-Z]'"
check "revoked agent's key is gone from the CA machine" sh -c "[ ! -e '$ca/agents/tx-002.key' ] && [ ! -e '$ca/kits/agent-tx-002' ]"
check "list shows tx-001 valid" list_shows "$(serial_of "$good/agent.crt")" valid tx-001
check "list shows tx-002 revoked" list_shows "$revoked_serial" revoked tx-002
check "revoke again is harmless (no valid certificate left)" "$pki" revoke --dir "$ca" --agent-id tx-002
check "tx-001 passes verify -crl_check" \
  verify_ok -CAfile "$ca/ca.crt" -crl_check -CRLfile "$ca/crl.pem" -purpose sslclient "$good/agent.crt"
check "tx-002 fails verify -crl_check (certificate revoked)" \
  verify_fails_with 'certificate revoked' -CAfile "$ca/ca.crt" -crl_check -CRLfile "$ca/crl.pem" "$revoked/agent.crt"

# ---- 6. mutual TLS on loopback: openssl s_server requires a client certificate and checks the CRL ----
# -verify_return_error matters: without it s_server logs verify errors and carries on.
start_server() {
  local _
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 40000))
    openssl s_server -accept "127.0.0.1:$port" -cert "$server_crt" -key "$server_key" \
      -CAfile "$ca/ca.crt" -Verify 1 -verify_return_error -CRL "$ca/crl.pem" -crl_check -www -quiet \
      >"$work/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 50); do
      kill -0 "$server_pid" 2>/dev/null || break           # could not bind: try another port
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
      sleep 0.1
    done
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  done
  return 1
}
# tls_get BUNDLE-CERT BUNDLE-KEY [s_client options]: an HTTP GET over s_client; prints the response and errors.
tls_get() {
  local cert="$1" key="$2"
  shift 2
  printf 'GET / HTTP/1.0\r\n\r\n' | timeout 10 openssl s_client -connect "127.0.0.1:$port" -servername aggregator.example \
    -cert "$cert" -key "$key" -CAfile "$ca/ca.crt" -verify_return_error -quiet "$@" 2>&1
}
handshake_ok() { local out; out="$(tls_get "$@")"; echo "$out"; grep -q '^HTTP/1.0 200 ok' <<<"$out"; }
handshake_refused() { # handshake_refused ALERT CERT KEY [options]: no HTTP response, and the server's alert names ALERT
  local alert="$1" out
  shift
  out="$(tls_get "$@")" || true
  echo "$out"
  ! grep -q '^HTTP/1.0 200' <<<"$out" && grep -q "alert $alert" <<<"$out"
}
curl_ok() {
  local body
  body="$(timeout 15 curl -sS --max-time 10 --cert "$1" --key "$2" --cacert "$ca/ca.crt" "https://127.0.0.1:$port/")" || return 1
  grep -q '<HTML>' <<<"$body"
}
curl_refused() { ! timeout 15 curl -sS --max-time 10 "$@" --cacert "$ca/ca.crt" "https://127.0.0.1:$port/" >/dev/null; }

# Certificates the server must refuse although they look right: from another CA, and the server's own.
check "a second, foreign CA issues a look-alike tx-001" \
  sh -c "'$pki' init-ca --dir '$work/foreign' && '$pki' issue-agent --dir '$work/foreign' --agent-id tx-001"

if check "s_server -Verify 1 -crl_check listens on a free loopback port" start_server; then
  check "good agent tx-001: mutual-TLS handshake on 127.0.0.1:$port and HTTP 200 (TLS 1.3)" handshake_ok "$good/agent.crt" "$good/agent.key"
  check "good agent tx-001: handshake and HTTP 200 (TLS 1.2)" handshake_ok "$good/agent.crt" "$good/agent.key" -tls1_2
  check "operator j.doe: mutual-TLS handshake and HTTP 200" handshake_ok "$operator/operator.crt" "$operator/operator.key"
  check "revoked agent tx-002 refused: alert certificate revoked (TLS 1.3)" \
    handshake_refused 'certificate revoked' "$revoked/agent.crt" "$revoked/agent.key"
  check "revoked agent tx-002 refused: alert certificate revoked (TLS 1.2)" \
    handshake_refused 'certificate revoked' "$revoked/agent.crt" "$revoked/agent.key" -tls1_2
  check "foreign-CA tx-001 refused: alert unknown ca" \
    handshake_refused 'unknown ca' "$work/foreign/agents/tx-001.crt" "$work/foreign/agents/tx-001.key"
  check "server certificate used as a client refused: alert unsupported certificate" \
    handshake_refused 'unsupported certificate' "$server_crt" "$server_key"
  check "curl as the agent (--cert --key --cacert, server checked by IP SAN): 200" curl_ok "$good/agent.crt" "$good/agent.key"
  check "curl with the revoked agent's certificate is refused" curl_refused --cert "$revoked/agent.crt" --key "$revoked/agent.key"
  check "curl with no client certificate is refused" curl_refused
  check "curl refuses the server under a name not in its SAN" \
    sh -c "! timeout 15 curl -sS --max-time 10 --cert '$good/agent.crt' --key '$good/agent.key' --cacert '$ca/ca.crt' \
           --resolve 'wrong.example:$port:127.0.0.1' 'https://wrong.example:$port/' >/dev/null"
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
fi

# ---- 7. rotation: --force issues a new key and revokes the old certificate as superseded ----
old_serial="$(serial_of "$good/agent.crt")"
check "issue-agent tx-001 --force rotates" "$pki" issue-agent --dir "$ca" --agent-id tx-001 --force
check "the rotated key is new" sh -c "! cmp -s '$ca/agents/tx-001.key' '$good/agent.key'"
check "the old tx-001 certificate is in the CRL as superseded" crl_lists "$ca/crl.pem" "$old_serial" superseded
check "the new tx-001 certificate passes verify -crl_check" \
  verify_ok -CAfile "$ca/ca.crt" -crl_check -CRLfile "$ca/crl.pem" -purpose sslclient "$ca/agents/tx-001.crt"
check "keys are still 0600 after rotation" keys_are_0600

# ---- 7b. a CA directory from before the rename: its per-host folders move to kits/ on the next run ----
cp -a "$ca" "$work/old-ca"
mv "$work/old-ca/kits" "$work/old-ca/bundles"
check "an older CA directory's bundles/ becomes kits/ on the next run" \
  sh -c "'$pki' crl --dir '$work/old-ca' && [ ! -e '$work/old-ca/bundles' ] && [ -f '$work/old-ca/kits/agent-tx-001/agent.key' ]"

# ---- 8. an operator leaves: revoke --operator ----
operator_serial="$(serial_of "$operator/operator.crt")"
check "revoke --operator j.doe --reason affiliationChanged" "$pki" revoke --dir "$ca" --operator j.doe --reason affiliationChanged
check "CRL lists j.doe's serial with affiliationChanged" crl_lists "$ca/crl.pem" "$operator_serial" affiliationChanged
check "revoked operator's key and kit are gone from the CA machine" \
  sh -c "[ ! -e '$ca/operators/j.doe.key' ] && [ ! -e '$ca/kits/operator-j.doe' ]"
check "j.doe fails verify -crl_check (certificate revoked)" \
  verify_fails_with 'certificate revoked' -CAfile "$ca/ca.crt" -crl_check -CRLfile "$ca/crl.pem" "$operator/operator.crt"
refuses "revoke of an operator never issued" "$pki" revoke --dir "$ca" --operator nobody

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
