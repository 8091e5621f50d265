#!/usr/bin/env bash
# Train Sam2Rad, the U-Net baseline and the 10-images-per-class run side by side on one GPU, each for
# the same wall-clock budget, from a pack made by `python3 -m training.data.pack` (the GPU machine has no
# ../shared). Weights come back in parts of <= 15 MiB (the 10-image run's in float16) plus one log archive.
#
#   bash training/gpu/run.sh PACK OUT_DIR [MINUTES [RESUME_DIR [SAM2RAD_ARGS...]]]
#
# With RESUME_DIR (holding sam2rad.pt and unet.pt joined by checkpoint_parts.py), Sam2Rad and the U-Net
# continue side by side until each has MINUTES in total; the 10-image run is not repeated ("" = start
# afresh). SAM2RAD_ARGS go to the Sam2Rad runs' training.train, e.g. --click-focus 20 --correction-weight 2.
set -euo pipefail
pack=${1:?pack file}
out=${2:?output folder}
minutes=${3:-7}
resume=${4:-}
shift $(( $# < 4 ? $# : 4 ))
sam2rad_args=("$@")
work=$(mktemp -d)
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=4
python3 -c 'import torch; print("torch", torch.__version__, torch.cuda.get_device_name(0))' | tee "$work/device.txt"

train() {  # name, extra arguments
  local name=$1; shift
  python3 -m training.train --device cuda --data-pack "$pack" --minutes "$minutes" --skip-dev --log-every 50 \
    --out "$work/$name" "$@" >"$work/$name.out" 2>&1
}
runs=(sam2rad unet)
if [ -n "$resume" ]; then
  train sam2rad --batch 48 --frames 4 --resume "$resume/sam2rad.pt" "${sam2rad_args[@]}" & pids=($!)
  train unet --model unet --batch 48 --resume "$resume/unet.pt" & pids+=($!)
else
  train sam2rad --batch 48 --frames 4 "${sam2rad_args[@]}" & pids=($!)
  train unet --model unet --batch 48 & pids+=($!)
  train fewshot10 --images-per-class 10 --batch 48 --frames 4 "${sam2rad_args[@]}" & pids+=($!)
  runs+=(fewshot10)
fi

# Fail fast: one run breaking ends them all, so a fix can be tried while the machine is warm.
for _ in "${pids[@]}"; do
  if ! wait -n; then
    kill "${pids[@]}" 2>/dev/null || true
    tail -n 30 "$work"/*.out
    exit 1
  fi
done
tail -n 3 "$work"/*.out

python3 -m training.gpu.checkpoint_parts split "$work/sam2rad/checkpoint.pt" "$out/sam2rad"
python3 -m training.gpu.checkpoint_parts split "$work/unet/checkpoint.pt" "$out/unet"
if [ -z "$resume" ]; then
  python3 -m training.gpu.checkpoint_parts split "$work/fewshot10/checkpoint.pt" "$out/fewshot10" --half
fi
tar -C "$work" -czf "$out/logs.tar.gz" device.txt $(for r in "${runs[@]}"; do echo "$r.out $r/summary.json"; done)
ls -l "$out"
