#!/usr/bin/env bash
# `make demo`: starts `chargeplane serve` on ./demo-data (SQLite) and a mixed simulated fleet that
# registers itself through the API, logs in, charges and reports: OCPP 1.6 piles, YKC piles in
# clear and YKC piles with 3DES-encrypted frames (a key generated once per demo directory).
# Ctrl-C stops everything.
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
YKC=${DEMO_YKC:-127.0.0.1:8767}
YKC_PILES=${DEMO_YKC_PILES:-10}          # clear YKC piles
YKC_SECURE_PILES=${DEMO_YKC_SECURE_PILES:-5}  # YKC piles with 3DES bodies
if [ ! -s "$DATA/ykc-3des.key" ]; then
  (umask 077; { echo "# 3DES key of the demo's encrypted YKC piles (hex)"; head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; echo; } > "$DATA/ykc-3des.key")
fi

"$BIN" serve --data-dir "$DATA" --listen-ocpp "$OCPP" --listen-api "$API" --listen-ykc "$YKC" > "$DATA/serve.out" 2> "$DATA/serve.log" &
SERVER=$!
SIMS=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${SIMS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
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
YKC_ADDR=$(sed -E 's/.*ykc=tcp:\/\/([^ ]+).*/\1/' <<<"$READY")

cat <<MSG

  ChargePlane is running (data in $DATA, logs in $DATA/serve.log)
    Console:  $API_URL/   (sign in as admin)
    API:      $API_URL/api/v1   (health: $API_URL/healthz, metrics: $API_URL/metrics)
    OCPP-J:   $OCPP_URL/<chargePointId>   (subprotocol ocpp1.6, HTTP Basic)
    YKC:      tcp://$YKC_ADDR   (binary YKC V1.6; piles 32010600000001.. clear, 32010600100001.. 3DES)
    Admin:    user 'admin', password '$CHARGEPLANE_ADMIN_PASSWORD'
    Try:      TOKEN=\$(curl -s $API_URL/api/v1/auth/login -d '{"username":"admin","password":"$CHARGEPLANE_ADMIN_PASSWORD"}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
              curl -s -H "Authorization: Bearer \$TOKEN" $API_URL/api/v1/piles
  Starting $PILES simulated OCPP 1.6 piles, $YKC_PILES YKC piles in clear and $YKC_SECURE_PILES YKC piles
  with 3DES-encrypted frames (logs in $DATA/sim*.log). Press Ctrl-C to stop.

MSG
"$BIN" sim --piles "$PILES" --protocol ocpp1.6 --url "$OCPP_URL" --api "$API_URL" \
  --admin-password "$CHARGEPLANE_ADMIN_PASSWORD" --password-file "$DATA/sim-passwords" --prefix DEMO --interval 10 2>> "$DATA/sim.log" &
SIMS+=($!)
if [ "$YKC_PILES" -gt 0 ]; then
  "$BIN" sim --protocol ykc --piles "$YKC_PILES" --first-pile 32010600000001 --ykc-address "$YKC_ADDR" \
    --api "$API_URL" --admin-password "$CHARGEPLANE_ADMIN_PASSWORD" --interval 15 --seed 2 >> "$DATA/sim-ykc.log" 2>&1 &
  SIMS+=($!)
fi
if [ "$YKC_SECURE_PILES" -gt 0 ]; then
  "$BIN" sim --protocol ykc --piles "$YKC_SECURE_PILES" --first-pile 32010600100001 --ykc-address "$YKC_ADDR" \
    --encryption 3des --key-file "$DATA/ykc-3des.key" \
    --api "$API_URL" --admin-password "$CHARGEPLANE_ADMIN_PASSWORD" --interval 15 --seed 3 >> "$DATA/sim-ykc-3des.log" 2>&1 &
  SIMS+=($!)
fi
wait "${SIMS[0]}" || true
