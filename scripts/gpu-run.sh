#!/usr/bin/env bash
# Sam2Rad Live: the measured GPU run (issue 22; docs/gpu.md, "The measured GPU run").
#
#   bash scripts/gpu-run.sh [--out DIR] [--work DIR] [--budget SECONDS]   # on the GPU machine, from the repo root
#   bash scripts/gpu-run.sh --dry-run [--out DIR]                         # here: CPU only, about a minute
#
# Runs from the repository root on a machine without Node, npm, ffmpeg or network. It takes what the tracked
# tree lacks from ONE archive packed here by `node scripts/gpu-run/pack.mjs` (dist-gpu/whole/sam2rad-gpu-run.tar,
# or its two halves dist-gpu/part1/ + dist-gpu/part2/ when the whole does not fit one transfer): this machine's
# Node, onnxruntime-node's linux-x64 native files, the esbuild-bundled CLI. Then it
#   1. probes the machine (nvidia-smi, driver, Vulkan loader and NVIDIA ICD, CUDA 12 / cuDNN 9 libraries,
#      onnxruntime's CUDA provider files, PyTorch) into OUT/probe.json, with why each provider can or cannot start;
#   2. makes the default model's fp16 variant and exports the full-size configuration with the machine's PyTorch
#      (python3 -m training.export.export_onnx --preset full-size), in the background;
#   3. runs `sam2rad bench --require-ep` on webgpu and cuda (default model fp32/fp16, then full-size fp32/fp16)
#      and on cpu (default model, its int8 graphs); a provider that does not start is recorded with its reason;
#   4. times the same five graphs in PyTorch on the GPU (fp32, autocast fp16 and bf16) as the same-machine reference;
#   5. writes OUT/summary.json (every run in full, a table, the providers and why any did not start),
#      OUT/torch-reference.json, OUT/run.log, OUT/export.log, and checks their shape.
# Every step has its own timeout; runs stop being started at --budget seconds (default 420), so the whole
# run ends within 8 minutes. OUT defaults to $OUT (the device tool's output folder).
#
# --dry-run (CPU machine): packs the archive first (cached), unpacks it, probes (no GPU), tries webgpu and cuda
# (expected: not started, with the reason), benches cpu for a few frames with the carried Node, exports the small
# preset, times the PyTorch graphs on the CPU for a few iterations, checks the JSON, and prints the transfer size.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DRY=0
OUT_DIR=${OUT:-}
WORK=""
BUDGET=420
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY=1; shift ;;
    --out) OUT_DIR=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --budget) BUDGET=$2; shift 2 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "gpu-run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$OUT_DIR" ]; then
  [ "$DRY" = 1 ] && OUT_DIR=$ROOT/dist-gpu/dry-run-out || { echo "gpu-run.sh: --out DIR (or \$OUT) is required" >&2; exit 2; }
fi
mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)
rm -f "$OUT_DIR"/{probe,summary,torch-reference,transfer}.json "$OUT_DIR"/{run,export}.log
[ -n "$WORK" ] || WORK=$(mktemp -d /tmp/sam2rad-gpu-run.XXXXXX)
rm -rf "$WORK"
mkdir -p "$WORK/results" "$WORK/logs" "$WORK/models"
if [ -z "${PYTHON:-}" ]; then
  # Debian's python3 here (torch + onnx); the GPU machine's python3 is PyTorch's.
  if [ "$DRY" = 1 ] && [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi
export PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
HELPER=$ROOT/scripts/gpu-run/gpu_run.py
LOG=$OUT_DIR/run.log
: >"$LOG"
START=$(date +%s)
DEADLINE=$((START + BUDGET))
elapsed() { echo $(( $(date +%s) - START )); }
log() { echo "[$(elapsed)s] $*" | tee -a "$LOG"; }
MODE=gpu
[ "$DRY" = 1 ] && MODE=dry-run
log "gpu-run ($MODE): repo $ROOT, work $WORK, out $OUT_DIR, python $PYTHON"

fail() {  # a run that cannot go on still leaves a probe/summary saying why
  log "STOP: $*"
  printf '{"format": "sam2rad-gpu-run-summary/1", "mode": "%s", "error": %s}\n' "$MODE" \
    "$("$PYTHON" -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$*")" >"$OUT_DIR/summary.json"
  exit 1
}

# --- the archive ------------------------------------------------------------------------------------------
NAME=sam2rad-gpu-run.tar
if [ "$DRY" = 1 ]; then
  command -v node >/dev/null || fail "--dry-run packs the archive with Node, and there is no node here"
  log "packing the archive (node scripts/gpu-run/pack.mjs; the xz steps are cached) ..."
  (cd "$ROOT" && node scripts/gpu-run/pack.mjs) 2>&1 | tee -a "$LOG" || fail "pack.mjs failed"
  cp "$ROOT/dist-gpu/transfer.json" "$OUT_DIR/transfer.json"
fi
ARCHIVE=$ROOT/dist-gpu/whole/$NAME
if [ ! -f "$ARCHIVE" ]; then
  P1=$ROOT/dist-gpu/part1/$NAME.1 P2=$ROOT/dist-gpu/part2/$NAME.2
  [ -f "$P1" ] && [ -f "$P2" ] || fail "no archive: neither dist-gpu/whole/$NAME nor both halves (dist-gpu/part1/$NAME.1: $([ -f "$P1" ] && echo present || echo missing), dist-gpu/part2/$NAME.2: $([ -f "$P2" ] && echo present || echo missing)); pack it with node scripts/gpu-run/pack.mjs and carry it (docs/gpu.md)"
  cat "$P1" "$P2" >"$WORK/$NAME"
  ARCHIVE=$WORK/$NAME
  if [ -f "$ROOT/dist-gpu/part2/$NAME.sha256" ]; then
    [ "$(sha256sum "$ARCHIVE" | cut -d' ' -f1)" = "$(cat "$ROOT/dist-gpu/part2/$NAME.sha256")" ] ||
      fail "the two halves do not make the archive they were cut from (sha256 differs): a half from another pack?"
  fi
  log "archive joined from its two halves"
fi
unxz_to() {  # FILE.xz -> stdout, with xz or, where xz is missing, Python's lzma
  if command -v xz >/dev/null; then xz -dc "$1"; else "$PYTHON" -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"; fi
}
mkdir -p "$WORK/a" "$WORK/libs"
tar -xf "$ARCHIVE" -C "$WORK/a" || fail "cannot unpack $ARCHIVE"
unxz_to "$WORK/a/node.xz" >"$WORK/node" && chmod +x "$WORK/node" || fail "cannot unpack node.xz"
unxz_to "$WORK/a/app.tar.xz" | tar -x -C "$WORK" || fail "cannot unpack app.tar.xz"
ORT_DIR=$WORK/app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64  # where onnxruntime-node's binding.js looks
mkdir -p "$ORT_DIR"
unxz_to "$WORK/a/ort.tar.xz" | tar -x -C "$ORT_DIR" || fail "cannot unpack ort.tar.xz"
unxz_to "$WORK/a/libs.tar.xz" | tar -x -C "$WORK/libs" || fail "cannot unpack libs.tar.xz"
# onnxruntime's CUDA provider (not in the npm package): used if someone carries it in dist-gpu/ort-extra/.
if ls "$ROOT"/dist-gpu/ort-extra/*.so* >/dev/null 2>&1; then
  cp "$ROOT"/dist-gpu/ort-extra/*.so* "$ORT_DIR/"
  log "ort-extra: $(cd "$ROOT/dist-gpu/ort-extra" && ls ./*.so* | tr '\n' ' ')"
fi
NODE=$WORK/node
if ! "$NODE" --version >/dev/null 2>&1; then
  export LD_LIBRARY_PATH="$WORK/libs/cxx${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  "$NODE" --version >/dev/null 2>&1 || fail "the carried Node does not run here: $("$NODE" --version 2>&1 | head -c 300)"
  log "node runs with the archive's libstdc++/libgcc_s"
fi
log "unpacked: node $("$NODE" --version), $(sed -n 's/.*"onnxruntime_node": "\(.*\)".*/onnxruntime-node \1/p' "$WORK/a/archive.json"), $(du -sh "$WORK" | cut -f1)"

# --- libraries for the GPU providers ------------------------------------------------------------------------
# cuDNN/cuBLAS/cudart from PyTorch's wheels (torch/lib, nvidia/*/lib), where the CUDA provider would look.
TORCH_LIBS=$(timeout 60 "$PYTHON" - 2>/dev/null <<'EOF'
import glob, os, sys
roots = []
for site in sys.path:
    roots += glob.glob(os.path.join(site, "torch", "lib")) + glob.glob(os.path.join(site, "nvidia", "*", "lib"))
print(":".join(dict.fromkeys(r for r in roots if os.path.isdir(r))))
EOF
)
[ -z "$TORCH_LIBS" ] || export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$TORCH_LIBS"
# Where these machines keep the NVIDIA driver's user-space libraries (libGLX_nvidia for the Vulkan ICD, libcuda).
[ -d /usr/local/nvidia/lib64 ] && export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}/usr/local/nvidia/lib64"
if ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 '; then
  export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$WORK/libs/vulkan"
  log "no Vulkan loader here: using the archive's ($(ls "$WORK/libs/vulkan" | tr '\n' ' '))"
fi

# --- probe --------------------------------------------------------------------------------------------------
timeout 60 "$PYTHON" "$HELPER" probe --mode "$MODE" --ort-dir "$ORT_DIR" --libs "$WORK/libs/vulkan" --out "$OUT_DIR/probe.json" 2>&1 | tee -a "$LOG"
[ -f "$OUT_DIR/probe.json" ] || fail "the probe wrote nothing"
VK=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["env"].get("VK_DRIVER_FILES", ""))' "$OUT_DIR/probe.json")
if [ -n "$VK" ] && [ -z "${VK_DRIVER_FILES:-}" ]; then
  export VK_DRIVER_FILES=$VK
  log "VK_DRIVER_FILES=$VK (NVIDIA's ICD outside the loader's default folders)"
fi
GPU=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)
log "gpu: ${GPU:-none}; cpus: $(getconf _NPROCESSORS_ONLN)"

# --- frames and models --------------------------------------------------------------------------------------
timeout 60 "$PYTHON" "$HELPER" frames --clip "$ROOT/assets/demo/demo.mp4" --count 30 --out "$WORK" 2>&1 | tee -a "$LOG"
[ -f "$WORK/frames.json" ] || fail "no frames: see run.log"
cp "$WORK/frames.json" "$WORK/results/frames.json"
cp -R "$ROOT/models/sam2rad-us" "$WORK/models/sam2rad-us"
HAVE_TORCH=0
timeout 60 "$PYTHON" -c 'import torch, onnx' 2>/dev/null && HAVE_TORCH=1
EXPORT_LOG=$OUT_DIR/export.log
: >"$EXPORT_LOG"
DEFAULT_FP16=0
if [ "$DRY" = 0 ] && [ "$HAVE_TORCH" = 1 ]; then
  if (cd "$ROOT" && timeout 90 "$PYTHON" -m training.export.convert_fp16 "$WORK/models/sam2rad-us") >>"$EXPORT_LOG" 2>&1; then
    DEFAULT_FP16=1
    log "default model: fp16 variant made"
  else
    log "default model: convert_fp16 failed (export.log)"
  fi
fi
# The full-size export (the small preset in a dry run), on the CPU in the background while the default model is
# benchmarked on the GPU (recorded in the summary as concurrent).
PRESET=full-size
[ "$DRY" = 1 ] && PRESET=small
EXPORT_PID=""
if [ "$HAVE_TORCH" = 1 ]; then
  log "exporting the $PRESET preset (background, 8 threads) ..."
  (
    cd "$ROOT" && export OMP_NUM_THREADS=8 &&
    timeout 300 "$PYTHON" -m training.export.export_onnx --preset "$PRESET" --out "$WORK/models/$PRESET" &&
    { [ "$DRY" = 1 ] || timeout 120 "$PYTHON" -m training.export.convert_fp16 "$WORK/models/$PRESET"; } &&
    touch "$WORK/models/$PRESET.done"
  ) >>"$EXPORT_LOG" 2>&1 &
  EXPORT_PID=$!
else
  log "no $PYTHON with torch and onnx: no $PRESET export, no PyTorch reference"
fi

# --- benches ------------------------------------------------------------------------------------------------
CPUS=$(getconf _NPROCESSORS_ONLN)
CPU_THREADS=$(( CPUS > 16 ? 16 : CPUS ))
declare -A UNAVAILABLE=()
# bench EP MODEL PRECISION ITERATIONS PIPELINE_FRAMES SECONDS TIMEOUT
bench() {
  local ep=$1 model=$2 precision=$3 iterations=$4 frames=$5 seconds=$6 limit=$7
  local stem="${ep}__${model}__${precision}" status=0
  local runlog=$WORK/logs/$stem.log
  if [ -n "${UNAVAILABLE[$ep]:-}" ]; then
    log "skip $stem: $ep did not start"
    return 0
  fi
  local left=$((DEADLINE - $(date +%s)))
  if [ "$left" -lt 20 ]; then
    printf 'not run: the time budget was spent (%ss left)\n' "$left" >"$WORK/results/$stem.failed"
    log "skip $stem: time budget spent"
    return 0
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  local threads=4
  [ "$ep" = cpu ] && threads=$CPU_THREADS
  note_conditions "$stem"
  log "bench $stem (--iterations $iterations --pipeline-frames $frames --seconds $seconds --threads $threads, timeout ${limit}s)"
  timeout "$limit" "$NODE" "$WORK/app/sam2rad.mjs" bench --json "$WORK/results/$stem.json" --frames "$WORK/frames.json" \
    --model "$WORK/models/$model" --precision "$precision" --ep "$ep" --require-ep --threads "$threads" \
    --iterations "$iterations" --pipeline-frames "$frames" --seconds "$seconds" >"$runlog" 2>&1 || status=$?
  cat "$runlog" >>"$LOG"
  case $status in
    0) log "  done: $(tail -n 1 "$runlog" | cut -c1-200)" ;;
    3) UNAVAILABLE[$ep]=$(sed -n "s/^bench: --require-ep: $ep unavailable (\(.*\))$/\1/p" "$runlog" | tail -n 1)
       UNAVAILABLE[$ep]=${UNAVAILABLE[$ep]:-exit 3, no reason printed}
       printf '%s\n' "${UNAVAILABLE[$ep]}" >"$WORK/results/$stem.unavailable"
       log "  $ep does not start: ${UNAVAILABLE[$ep]}" ;;
    124) printf 'cut off after %ss (timeout)\n' "$limit" >"$WORK/results/$stem.failed"
         rm -f "$WORK/results/$stem.json"
         log "  cut off after ${limit}s" ;;
    *) { printf 'exit %s: ' "$status"; tail -n 5 "$runlog"; } >"$WORK/results/$stem.failed"
       rm -f "$WORK/results/$stem.json"
       log "  failed (exit $status; run.log)" ;;
  esac
}

# What else ran during a measurement: the background export (CPU) or not. summarize puts it beside each run.
note_conditions() {
  local running=0
  [ -n "$EXPORT_PID" ] && kill -0 "$EXPORT_PID" 2>/dev/null && running=1
  printf '%s\t%s\n' "$1" "$running" >>"$WORK/results/conditions.tsv"
}

stop_export() {  # the subshell and its timeout (which passes the signal on to Python)
  [ -n "$EXPORT_PID" ] || return 0
  pkill -TERM -P "$EXPORT_PID" 2>/dev/null
  kill "$EXPORT_PID" 2>/dev/null
}

wait_export() {  # waits for the background export until SECONDS before the deadline; 0 when the model is there
  [ -n "$EXPORT_PID" ] || return 1
  while kill -0 "$EXPORT_PID" 2>/dev/null && [ $(( DEADLINE - $(date +%s) )) -gt "$1" ]; do sleep 2; done
  if kill -0 "$EXPORT_PID" 2>/dev/null; then
    stop_export
    log "export of $PRESET stopped: not done in time (export.log)"
    return 1
  fi
  [ -f "$WORK/models/$PRESET.done" ] || { log "export of $PRESET failed (export.log)"; return 1; }
  log "exported $PRESET: $(du -sh "$WORK/models/$PRESET" | cut -f1)"
}

TORCH_JSON=$OUT_DIR/torch-reference.json
if [ "$DRY" = 1 ]; then
  # The GPU providers must fail to start here, each with its reason in the JSON.
  bench webgpu sam2rad-us fp32 2 2 5 60
  bench cuda sam2rad-us fp32 2 2 5 60
  bench cpu sam2rad-us int8 5 10 5 60
  if wait_export 40; then bench cpu "$PRESET" fp32 3 5 5 60; fi
  if [ "$HAVE_TORCH" = 1 ]; then
    timeout 90 "$PYTHON" "$HELPER" torch --device cpu --configs default --warmup 1 --iterations 3 --budget 60 --out "$TORCH_JSON" 2>&1 | tee -a "$LOG"
  fi
else
  for ep in webgpu cuda; do
    bench "$ep" sam2rad-us fp32 200 300 10 70
    [ "$DEFAULT_FP16" = 1 ] && bench "$ep" sam2rad-us fp16 200 300 10 70
  done
  # The PyTorch reference needs no export: it runs while the export may still be going (recorded), then the
  # export gets until 290 s, the full-size benches up to 60 s each, and the cpu bench what is left.
  if [ "$HAVE_TORCH" = 1 ]; then
    DEVICE=cuda
    timeout 30 "$PYTHON" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null || DEVICE=cpu
    note_conditions torch-reference
    log "PyTorch reference on $DEVICE (timeout 100s) ..."
    timeout 100 "$PYTHON" "$HELPER" torch --device "$DEVICE" --configs default,full-size --warmup 10 --iterations 50 \
      --budget 75 --out "$TORCH_JSON" 2>&1 | tee -a "$LOG"
  fi
  if wait_export 130; then
    for ep in webgpu cuda; do
      bench "$ep" "$PRESET" fp32 30 40 6 60
      bench "$ep" "$PRESET" fp16 30 40 6 60
    done
  fi
  bench cpu sam2rad-us int8 100 100 5 45
fi
stop_export

# --- results ------------------------------------------------------------------------------------------------
cp "$WORK"/logs/*.log "$WORK/results/" 2>/dev/null
"$PYTHON" "$HELPER" summarize --results "$WORK/results" --probe "$OUT_DIR/probe.json" --torch "$TORCH_JSON" \
  --archive "$WORK/a/archive.json" --mode "$MODE" --wall "$(elapsed)" --out "$OUT_DIR/summary.json" 2>&1 | tee -a "$LOG"
CHECK=(--dir "$OUT_DIR")
[ "$DRY" = 1 ] && CHECK+=(--dry-run)
status=0
"$PYTHON" "$HELPER" check "${CHECK[@]}" 2>&1 | tee -a "$LOG" || status=1
if [ "$DRY" = 1 ]; then
  "$PYTHON" - "$OUT_DIR/transfer.json" <<'EOF' | tee -a "$LOG"
import json, sys
t = json.load(open(sys.argv[1]))
mib = lambda b: f"{b / 2**20:.2f} MiB"
print(f"transfer: tracked {mib(t['tracked_bytes'])} + untracked {mib(t['untracked_not_ignored_bytes'])} + archive "
      f"{mib(t['archive_bytes'])} = {mib(t['transfer_whole_bytes'])} ({'fits' if t['fits_whole'] else 'over'} 64 MiB); "
      f"with one half {mib(t['transfer_per_part_bytes'])} ({'fits' if t['fits_parts'] else 'over'})")
EOF
  rm -rf "$WORK"
fi
log "done in $(elapsed)s: $OUT_DIR (probe.json, summary.json, torch-reference.json, run.log, export.log)"
exit $status
