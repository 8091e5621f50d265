"""gpu_run.py summarize and check: OUT/summary.json from the bench results, the probe and the PyTorch reference,
and the shape of what gpu-run.sh leaves in OUT."""
import json
import os
import re
import sys
import time

RUN_RE = re.compile(r"^(?P<ep>[a-z0-9]+)__(?P<model>[A-Za-z0-9_-]+)__(?P<precision>[a-z0-9]+)$")


def summarize(args):
    runs, providers = {}, {}
    for f in sorted(os.listdir(args.results)):
        stem, ext = os.path.splitext(f)
        m = RUN_RE.match(stem)
        if not m:
            continue
        path = os.path.join(args.results, f)
        if ext == ".json":
            runs[stem] = json.load(open(path))
        elif ext in (".unavailable", ".failed"):
            providers.setdefault(m.group("ep"), {"attempts": []})["attempts"].append(
                {"run": stem, "outcome": ext[1:], "reason": open(path).read().strip()[-1500:]})
    for stem, r in runs.items():
        m = RUN_RE.match(stem)
        providers.setdefault(m.group("ep"), {"attempts": []})["attempts"].append({"run": stem, "outcome": "ran", "reason": None})
    probe_data = json.load(open(args.probe)) if os.path.exists(args.probe) else {}
    for ep, p in providers.items():
        # Started: some run got past the provider's start (a run that then failed or was cut off counts).
        p["started"] = any(a["outcome"] != "unavailable" for a in p["attempts"])
        p["completed_runs"] = sum(a["outcome"] == "ran" for a in p["attempts"])
        p["probe_reasons"] = probe_data.get("providers", {}).get(ep, {}).get("reasons", [])
    for ep, v in probe_data.get("providers", {}).items():
        providers.setdefault(ep, {"attempts": [], "started": False, "completed_runs": 0, "probe_reasons": v["reasons"],
                                  "not_attempted": "not run in this mode"})
    table = []
    for stem, r in runs.items():
        md = r["model_detail"]
        table.append({"run": stem, "ep": r["provider"]["used"], "model": RUN_RE.match(stem).group("model"),
                      "precision": r["model"]["precision"], "image_size": r["model"]["image_size"],
                      "intermediate_tensors": r["provider"]["intermediate_tensors"], "model_fps": r["model_fps"],
                      "graphs_p50_ms": md["graphs_ms"]["p50"], "graphs_p95_ms": md["graphs_ms"].get("p95"),
                      "stage_p50_ms": {k: v["p50"] for k, v in md["stage_ms"].items()},
                      "pipeline_fps": r["pipeline_fps"], "latency_p50_ms": r["latency_ms"]["p50"],
                      "latency_p95_ms": r["latency_ms"]["p95"], "dropped": r["dropped"]})
    torch_data = json.load(open(args.torch)) if args.torch and os.path.exists(args.torch) else None
    # conditions.tsv: whether the background export (CPU) was running when each measurement started.
    conditions = {}
    cond_file = os.path.join(args.results, "conditions.tsv")
    if os.path.exists(cond_file):
        for line in open(cond_file):
            name, _, running = line.strip().partition("\t")
            conditions[name] = running == "1"
    for row in table:
        row["concurrent_with_export"] = conditions.get(row["run"])
    if torch_data is not None:
        torch_data["concurrent_with_export"] = conditions.get("torch-reference")
    archive = json.load(open(args.archive)) if args.archive and os.path.exists(args.archive) else None
    frames_file = os.path.join(args.results, "frames.json")
    frames_desc = json.load(open(frames_file)) if os.path.exists(frames_file) else None
    summary = {"format": "sam2rad-gpu-run-summary/1", "mode": args.mode,
               "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "wall_s": args.wall,
               "archive": archive, "machine": probe_data.get("machine"), "gpu": probe_data.get("gpu"),
               "torch": probe_data.get("torch"), "frames": frames_desc, "providers": providers, "table": table,
               "torch_reference": torch_data, "runs": runs}
    json.dump(summary, open(args.out, "w"), indent=2)
    for row in table:
        print(f"{row['run']:40} {row['model_fps']} fps, graphs p50 {row['graphs_p50_ms']} ms, "
              f"pipeline {row['pipeline_fps']} fps, latency p50 {row['latency_p50_ms']} ms")
    for ep, p in providers.items():
        if not p.get("completed_runs"):
            reasons = [a["reason"] for a in p["attempts"] if a["reason"]] or p["probe_reasons"]
            print(f"{ep}: {'no run completed' if p['started'] else 'did not start'} ({'; '.join(reasons)[:400]})")


def check(args):
    """The shape of what gpu-run.sh leaves in OUT: exits 1 naming the first thing missing."""
    problems = []

    def need(cond, what):
        if not cond:
            problems.append(what)
    p = json.load(open(os.path.join(args.dir, "probe.json")))
    for key in ("machine", "gpu", "vulkan", "cuda_provider", "torch", "providers"):
        need(key in p, f"probe.json: {key}")
    for ep in ("cpu", "webgpu", "cuda"):
        need(ep in p.get("providers", {}) and "reasons" in p["providers"][ep], f"probe.json: providers.{ep}.reasons")
    s = json.load(open(os.path.join(args.dir, "summary.json")))
    need(s.get("format") == "sam2rad-gpu-run-summary/1", "summary.json: format")
    need(isinstance(s.get("table"), list) and s["table"], "summary.json: at least one bench run")
    for row in s.get("table", []):
        for key in ("ep", "model_fps", "graphs_p50_ms", "stage_p50_ms", "pipeline_fps", "latency_p50_ms"):
            need(key in row, f"summary.json: table row {row.get('run')}: {key}")
    for ep, prov in s.get("providers", {}).items():
        if not prov.get("completed_runs"):
            reasons = [a["reason"] for a in prov.get("attempts", []) if a.get("reason")] + prov.get("probe_reasons", [])
            need(reasons, f"summary.json: providers.{ep} did not start and no reason is given")
    t = s.get("torch_reference") or {}
    need(t.get("configs"), "summary.json: torch_reference.configs")
    for name, c in t.get("configs", {}).items():
        need("fp32" in c.get("modes", {}) and "graphs_ms" in c["modes"]["fp32"], f"torch_reference: {name} fp32 graphs_ms")
    if args.dry_run:
        need(s.get("providers", {}).get("cpu", {}).get("completed_runs"), "summary.json: the cpu provider ran")
    if problems:
        print("check: " + "; ".join(problems))
        sys.exit(1)
    print(f"check: probe.json and summary.json complete ({len(s['table'])} bench runs, "
          f"{len(t.get('configs', {}))} torch configs)")
