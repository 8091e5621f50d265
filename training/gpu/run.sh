#!/usr/bin/env bash
# Train Sam2Rad, the U-Net baseline and the 10-images-per-class run side by side on one GPU, each for
# the same wall-clock budget, from a pack made by training/pack_data.py (the GPU machine has no
# ../shared). Weights come back in parts of <= 15 MiB (the 10-image run's in float16) plus one log archive.
#
#   bash training/gpu/run.sh PACK OUT_DIR [MINUTES]
set -euo pipefail
pack=${1:?pack file}
out=${2:?output folder}
minutes=${3:-7}
work=$(mktemp -d)
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=4
python3 -c 'import torch; print("torch", torch.__version__, torch.cuda.get_device_name(0))' | tee "$work/device.txt"

train() {  # name, extra arguments
  local name=$1; shift
  python3 training/train.py --device cuda --data-pack "$pack" --minutes "$minutes" --skip-dev --log-every 50 \
    --out "$work/$name" "$@" >"$work/$name.out" 2>&1
}
train sam2rad --batch 48 --frames 4 & sam2rad=$!
train unet --model unet --batch 48 & unet=$!
train fewshot10 --images-per-class 10 --batch 48 --frames 4 & fewshot=$!

# Fail fast: one run breaking ends all three, so a fix can be tried while the machine is warm.
for _ in 1 2 3; do
  if ! wait -n; then
    kill $sam2rad $unet $fewshot 2>/dev/null || true
    tail -n 30 "$work"/*.out
    exit 1
  fi
done
tail -n 3 "$work"/*.out

python3 training/gpu/checkpoint_parts.py split "$work/sam2rad/checkpoint.pt" "$out/sam2rad"
python3 training/gpu/checkpoint_parts.py split "$work/unet/checkpoint.pt" "$out/unet"
python3 training/gpu/checkpoint_parts.py split "$work/fewshot10/checkpoint.pt" "$out/fewshot10" --half
tar -C "$work" -czf "$out/logs.tar.gz" device.txt sam2rad.out unet.out fewshot10.out \
  sam2rad/summary.json unet/summary.json fewshot10/summary.json
ls -l "$out"
