"""Weight average of two Sam2Rad checkpoints of the same configuration (a "model soup"): every
parameter and batch-norm statistic is (1 - t) * A + t * B. A fine-tune that gains on one class and
loses on another can be pulled back part of the way towards its starting point this way; the result
keeps A's run metadata, with B's run added to its earlier stages and the mix recorded.

  /usr/bin/python3 -m training.train.average_checkpoints runs/refiner/checkpoint.pt runs/roift/checkpoint.pt \
      --weight 0.5 --out runs/soup/checkpoint.pt
"""
import argparse
import os

import torch

from training.train.checkpoint import lineage


def average(a: dict, b: dict, weight: float) -> dict:
    """-> checkpoint `a` with its state_dict replaced by (1 - weight) * a + weight * b."""
    if a["config"] != b["config"]:
        raise SystemExit("the checkpoints have different model configurations; only the same architecture averages")
    mixed = {}
    for name, tensor in a["state_dict"].items():
        other = b["state_dict"][name]
        # integer buffers (batch-norm step counters) are not weights: keep B's, the later run's
        mixed[name] = torch.lerp(tensor, other, weight) if tensor.is_floating_point() else other.clone()
    return {**a, "state_dict": mixed, "optimizer": None,
            "earlier_stages": [*a.get("earlier_stages", []), lineage(b)[-1]],
            "args": {**a["args"], "average_of": [a["args"].get("out"), b["args"].get("out")], "average_weight": weight}}


def main():
    ap = argparse.ArgumentParser(prog="python3 -m training.train.average_checkpoints", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a", help="checkpoint A (weight 1 - t)")
    ap.add_argument("b", help="checkpoint B (weight t)")
    ap.add_argument("--weight", type=float, default=0.5, help="t, B's share (0 = A, 1 = B)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if not 0 <= args.weight <= 1:
        raise SystemExit(f"--weight must be in [0, 1] (got {args.weight})")
    a = torch.load(args.a, map_location="cpu", weights_only=False)
    b = torch.load(args.b, map_location="cpu", weights_only=False)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save(average(a, b, args.weight), args.out)
    print(f"{args.out}: {1 - args.weight:g} x {args.a} + {args.weight:g} x {args.b}")


if __name__ == "__main__":
    main()
