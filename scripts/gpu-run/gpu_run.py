"""Helpers of scripts/gpu-run.sh (docs/gpu.md, "The measured GPU run"); plain Python 3 (torch only for `torch`).

  python3 scripts/gpu-run/gpu_run.py probe --ort-dir DIR --libs DIR --out probe.json
  python3 scripts/gpu-run/gpu_run.py frames --clip assets/demo/demo.mp4 --count N --out DIR
  python3 scripts/gpu-run/gpu_run.py torch --device cuda|cpu --configs default,full-size --out torch-reference.json
  python3 scripts/gpu-run/gpu_run.py summarize --results DIR --probe probe.json --torch FILE --out summary.json
  python3 scripts/gpu-run/gpu_run.py check --dir OUT [--dry-run]
"""
import argparse

# One module per command, beside this file: gpu-run.sh runs this file as a script, so its folder is first on
# sys.path and they import as top-level modules.
from frames import frames
from probe import probe
from summary import check, summarize
from torch_reference import torch_reference


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("probe")
    p.add_argument("--ort-dir", required=True)
    p.add_argument("--libs")
    p.add_argument("--mode", default="gpu")
    p.add_argument("--out", required=True)
    p = sub.add_parser("frames")
    p.add_argument("--clip", required=True)
    p.add_argument("--count", type=int, default=30)
    p.add_argument("--out", required=True)
    p = sub.add_parser("torch")
    p.add_argument("--device", default="cuda")
    p.add_argument("--configs", default="default,full-size")
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--iterations", type=int, default=50)
    p.add_argument("--budget", type=float, default=90, help="seconds after which remaining modes are skipped")
    p.add_argument("--out", required=True)
    p = sub.add_parser("summarize")
    p.add_argument("--results", required=True)
    p.add_argument("--probe", required=True)
    p.add_argument("--torch")
    p.add_argument("--archive")
    p.add_argument("--mode", default="gpu")
    p.add_argument("--wall", type=float)
    p.add_argument("--out", required=True)
    p = sub.add_parser("check")
    p.add_argument("--dir", required=True)
    p.add_argument("--dry-run", action="store_true")
    args = ap.parse_args()
    {"probe": probe, "frames": frames, "torch": torch_reference, "summarize": summarize, "check": check}[args.cmd](args)


if __name__ == "__main__":
    main()
