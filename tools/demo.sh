#!/usr/bin/env bash
# `make demo`: starts `chargeplane serve` on ./demo-data (SQLite) and a simulated fleet of OCPP
# 1.6 piles that register themselves through the API, boot, charge and report. Ctrl-C stops both.
set -euo pipefail
BIN=${1:-build/chargeplane}
PILES=${2:-50}
DATA=./demo-data
mkdir -p "$DATA"
chmod 700 "$DATA"
# One admin password per demo directory, kept so restarts keep working.
if [ ! -s "$DATA/admin-password" ]; then
  (umask 077; head -c 18 /dev/urandom | base64 | tr '+/' '-_' > "$DATA/admin-password")
fi
export CHARGEPLANE_ADMIN_PASSWORD="$(cat "$DATA/admin-password")"
OCPP=${DEMO_OCPP:-127.0.0.1:9000}
API=${DEMO_API:-127.0.0.1:8080}

"$BIN" serve --data-dir "$DATA" --listen-ocpp "$OCPP" --listen-api "$API" > "$DATA/serve.out" 2> "$DATA/serve.log" &
SERVER=$!
SIM=""
cleanup() {
  trap - INT TERM EXIT
  [ -n "$SIM" ] && kill -INT "$SIM" 2>/dev/null || true
  kill -TERM "$SERVER" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "demo: stopped"
}
trap cleanup INT TERM EXIT

for _ in $(seq 1 100); do
  grep -q "^chargeplane ready" "$DATA/serve.out" 2>/dev/null && break
  if ! kill -0 "$SERVER" 2>/dev/null; then echo "demo: server failed to start:"; tail -20 "$DATA/serve.log"; exit 1; fi
  sleep 0.1
done
READY=$(grep "^chargeplane ready" "$DATA/serve.out")
OCPP_URL=$(sed -E 's/.*ocpp=([^ ]+).*/\1/' <<<"$READY")
API_URL=$(sed -E 's/.*api=([^ ]+).*/\1/' <<<"$READY")

cat <<MSG

  ChargePlane is running (data in $DATA, logs in $DATA/serve.log)
    Console:  $API_URL/   (sign in as admin)
    API:      $API_URL/api/v1   (health: $API_URL/healthz, metrics: $API_URL/metrics)
    OCPP-J:   $OCPP_URL/<chargePointId>   (subprotocol ocpp1.6, HTTP Basic)
    Admin:    user 'admin', password '$CHARGEPLANE_ADMIN_PASSWORD'
    Try:      TOKEN=\$(curl -s $API_URL/api/v1/auth/login -d '{"username":"admin","password":"$CHARGEPLANE_ADMIN_PASSWORD"}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
              curl -s -H "Authorization: Bearer \$TOKEN" $API_URL/api/v1/piles
  Starting $PILES simulated OCPP 1.6 piles. Press Ctrl-C to stop.

MSG
"$BIN" sim --piles "$PILES" --protocol ocpp1.6 --url "$OCPP_URL" --api "$API_URL" \
  --admin-password "$CHARGEPLANE_ADMIN_PASSWORD" --password-file "$DATA/sim-passwords" --prefix DEMO --interval 10 2>> "$DATA/sim.log" &
SIM=$!
wait "$SIM" || true
