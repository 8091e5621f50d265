#!/usr/bin/env bash
# Sam2Rad Live offline GPU benchmark (built by scripts/build-gpu-bundle.mjs; see docs/gpu.md).
#
#   ./run.sh --out DIR [--work DIR] [--quick]
#
# Unpacks Node, onnxruntime-node and the default model (needs only coreutils, tar and xz), exports the
# full-size model with this machine's PyTorch when `$PYTHON -c 'import torch, onnx'` works (PYTHON
# defaults to python3), then runs `sam2rad bench` for each execution provider that starts (cuda,
# webgpu, cpu) on each model, within about 8 minutes. DIR receives summary.json (every run in full),
# results.tar.gz (one JSON per run) and run.log. --quick: cpu only, a few frames, and the small preset
# instead of the full-size export (a dry run on a machine without a GPU).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT_DIR=""
WORK=/tmp/sam2rad-gpu
QUICK=0
PYTHON=${PYTHON:-python3}
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT_DIR=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$OUT_DIR" ] || { echo "run.sh: --out DIR is required" >&2; exit 2; }
mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)
LOG=$OUT_DIR/run.log
: > "$LOG"
START=$(date +%s)
# Runs stop being started once this much of the 8 minutes is used; each run is also cut off at the deadline.
DEADLINE=$((START + 450))
log() { echo "[$(( $(date +%s) - START ))s] $*" | tee -a "$LOG"; }

# --- unpack -------------------------------------------------------------------------------------------
rm -rf "$WORK"
mkdir -p "$WORK/results" "$WORK/models/sam2rad-us"
xz -dc "$HERE/node.xz" > "$WORK/node"
chmod +x "$WORK/node"
NODE=$WORK/node
cp -R "$HERE/app" "$WORK/app"
# The layout onnxruntime-node's dist/binding.js requires: ../bin/napi-v6/<platform>/<arch>/.
ORT_DIR=$WORK/app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64
mkdir -p "$ORT_DIR"
tar -xJf "$HERE/ort-linux-x64.tar.xz" -C "$ORT_DIR"
# CUDA EP libraries the user added (not in the npm package): onnxruntime loads them from beside libonnxruntime.
if ls "$HERE"/ort-extra/*.so* >/dev/null 2>&1; then
  cp "$HERE"/ort-extra/*.so* "$ORT_DIR/"
  log "ort-extra: added $(cd "$HERE/ort-extra" && ls ./*.so* | tr '\n' ' ')"
fi
tar -xJf "$HERE/model-sam2rad-us.tar.xz" -C "$WORK/models/sam2rad-us"
xz -dc "$HERE/frames.gray.xz" > "$WORK/frames.gray"
cp "$HERE/frames.json" "$WORK/frames.json"
DEFAULT_PRECISION=$(cat "$HERE/model-precision")
log "unpacked into $WORK ($("$NODE" --version), default model $DEFAULT_PRECISION)"

# The CUDA EP needs cuDNN/cuBLAS of its CUDA major version; PyTorch's pip wheels carry them.
if "$PYTHON" -c 'import torch' 2>/dev/null; then
  TORCH_LIBS=$("$PYTHON" - <<'EOF'
import glob, os, torch
roots = [os.path.join(os.path.dirname(torch.__file__), "lib")]
try:
    import nvidia
    roots += glob.glob(os.path.join(list(nvidia.__path__)[0], "*", "lib"))
except ImportError:
    pass
print(":".join(r for r in roots if os.path.isdir(r)))
EOF
)
  export LD_LIBRARY_PATH="${TORCH_LIBS}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

# --- hardware -------------------------------------------------------------------------------------------
GPU=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1 || true)
TORCH=$("$PYTHON" -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda)' 2>/dev/null || true)
# getconf, not nproc: nproc obeys OMP_NUM_THREADS.
CPUS=$(getconf _NPROCESSORS_ONLN)
log "gpu: ${GPU:-none found}; torch: ${TORCH:-none}; cpus: $CPUS"

# --- full-size model ------------------------------------------------------------------------------------
PRESET=full-size
[ "$QUICK" = 1 ] && PRESET=small
EXPORTED=""
export PYTHONDONTWRITEBYTECODE=1  # leave the bundle's training/ as shipped
if "$PYTHON" -c 'import torch, onnx' 2>/dev/null; then
  log "exporting the $PRESET preset with PyTorch ..."
  if (cd "$HERE" && timeout 240 "$PYTHON" -m training.export.export_onnx --preset "$PRESET" --out "$WORK/models/$PRESET" \
        && timeout 120 "$PYTHON" -m training.export.convert_fp16 "$WORK/models/$PRESET") >>"$LOG" 2>&1; then
    EXPORTED=$PRESET
    log "exported $PRESET (fp32 + fp16): $(du -sh "$WORK/models/$PRESET" | cut -f1)"
  else
    log "export of $PRESET failed (see run.log); benchmarking the default model only"
  fi
else
  log "no $PYTHON with torch and onnx: benchmarking the default model only"
fi

# --- benchmarks -----------------------------------------------------------------------------------------
THREADS=$CPUS
[ "$THREADS" -gt 16 ] && THREADS=16
declare -A UNAVAILABLE=()

# bench EP NAME MODEL_DIR PRECISION ITERATIONS PIPELINE_FRAMES SECONDS ESTIMATE_S
bench() {
  local ep=$1 name=$2 dir=$3 precision=$4 iterations=$5 frames=$6 seconds=$7 estimate=$8
  local file="$ep-$name$([ "$precision" = fp32 ] || echo "-$precision").json"
  [ -z "${UNAVAILABLE[$ep]:-}" ] || return 0
  local left=$((DEADLINE - $(date +%s)))
  if [ "$left" -lt "$estimate" ]; then
    log "skip $file: ${left}s left of the time budget, about ${estimate}s needed"
    return 0
  fi
  # GPU providers need few CPU threads (host-side ops only); the cpu provider gets the machine.
  local threads=$THREADS
  [ "$ep" = cpu ] || threads=$(( THREADS < 4 ? THREADS : 4 ))
  log "bench $file (--iterations $iterations --pipeline-frames $frames --seconds $seconds --threads $threads)"
  local status=0
  timeout "$left" "$NODE" "$WORK/app/sam2rad.mjs" bench --json "$WORK/results/$file" --frames "$WORK/frames.json" \
    --model "$dir" --precision "$precision" --ep "$ep" --require-ep --threads "$threads" \
    --iterations "$iterations" --pipeline-frames "$frames" --seconds "$seconds" >>"$LOG" 2>&1 || status=$?
  case $status in
    0) log "  done: $(tail -n 1 "$LOG")" ;;
    3) UNAVAILABLE[$ep]=$(sed -n "s/^bench: --require-ep: $ep unavailable (\(.*\))$/\1/p" "$LOG" | tail -n 1)
       printf '%s\n' "${UNAVAILABLE[$ep]}" >"$WORK/results/$ep.unavailable"
       log "  $ep does not start here: ${UNAVAILABLE[$ep]}" ;;
    124) log "  cut off at the time budget" ;;
    *) log "  failed (exit $status); see run.log" ;;
  esac
}

if [ "$QUICK" = 1 ]; then
  PROVIDERS=(cpu)
else
  PROVIDERS=(cuda webgpu cpu)
fi
for ep in "${PROVIDERS[@]}"; do
  if [ "$QUICK" = 1 ]; then
    bench "$ep" sam2rad-us "$WORK/models/sam2rad-us" "$DEFAULT_PRECISION" 5 10 5 20
    [ -z "$EXPORTED" ] || bench "$ep" "$EXPORTED" "$WORK/models/$EXPORTED" fp32 5 10 5 20
  elif [ "$ep" = cpu ]; then
    bench "$ep" sam2rad-us "$WORK/models/sam2rad-us" "$DEFAULT_PRECISION" 100 150 12 40
    [ -z "$EXPORTED" ] || bench "$ep" "$EXPORTED" "$WORK/models/$EXPORTED" fp32 8 8 10 90
  else
    bench "$ep" sam2rad-us "$WORK/models/sam2rad-us" "$DEFAULT_PRECISION" 200 300 12 40
    [ -z "$EXPORTED" ] || bench "$ep" "$EXPORTED" "$WORK/models/$EXPORTED" fp32 100 150 12 60
    [ -z "$EXPORTED" ] || bench "$ep" "$EXPORTED" "$WORK/models/$EXPORTED" fp16 100 150 12 60
  fi
done

# --- results --------------------------------------------------------------------------------------------
GPU="$GPU" TORCH="$TORCH" "$NODE" "$HERE/summarize.mjs" "$WORK/results" "$OUT_DIR/summary.json"
tar -czf "$OUT_DIR/results.tar.gz" -C "$WORK/results" .
log "results: $OUT_DIR (summary.json, results.tar.gz, run.log); total $(( $(date +%s) - START ))s"
