"""Helpers of scripts/gpu-run.sh (docs/gpu.md, "The measured GPU run"); plain Python 3 (torch only for `torch`).

  python3 scripts/gpu-run/gpu_run.py probe --ort-dir DIR --libs DIR --out probe.json
  python3 scripts/gpu-run/gpu_run.py frames --clip assets/demo/demo.mp4 --count N --out DIR
  python3 scripts/gpu-run/gpu_run.py torch --device cuda|cpu --configs default,full-size --out torch-reference.json
  python3 scripts/gpu-run/gpu_run.py summarize --results DIR --probe probe.json --torch FILE --out summary.json
  python3 scripts/gpu-run/gpu_run.py check --dir OUT [--dry-run]
"""
import argparse
import glob
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# What onnxruntime 1.30's CUDA provider (a CUDA 12 build) loads besides the driver.
CUDA12_LIBS = ["libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12", "libcufft.so.11", "libcurand.so.10"]
CUDNN9 = "libcudnn.so.9"
ICD_DIRS = ["/etc/vulkan/icd.d", "/usr/share/vulkan/icd.d", "/usr/local/share/vulkan/icd.d",
            "/usr/local/nvidia/share/vulkan/icd.d"]


def run(argv, timeout=20):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout.strip(), p.stderr.strip()
    except (OSError, subprocess.TimeoutExpired) as err:
        return None, "", str(err)


def ldconfig_libs():
    code, out, _ = run(["/sbin/ldconfig", "-p"])
    libs = {}
    for line in out.splitlines()[1:] if code == 0 else []:
        m = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if m and "x86-64" in m.group(2):
            libs.setdefault(m.group(1), []).append(m.group(3))
    return libs


def search_dirs():
    """Where a dlopen of these libraries could find them: LD_LIBRARY_PATH, pip's nvidia/*/lib, torch/lib, CUDA."""
    dirs = [d for d in os.environ.get("LD_LIBRARY_PATH", "").split(":") if d]
    for site in sys.path:
        dirs += glob.glob(os.path.join(site, "nvidia", "*", "lib")) + glob.glob(os.path.join(site, "torch", "lib"))
    dirs += ["/usr/local/nvidia/lib64", "/usr/local/nvidia/lib"]
    dirs += glob.glob("/usr/local/cuda*/lib64") + glob.glob("/usr/local/cuda*/targets/x86_64-linux/lib")
    seen, result = set(), []
    for d in dirs:
        if os.path.isdir(d) and d not in seen:
            seen.add(d)
            result.append(d)
    return result


def find_lib(soname, cache, dirs):
    found = list(cache.get(soname, []))
    for d in dirs:
        p = os.path.join(d, soname)
        if os.path.exists(p) and p not in found:
            found.append(p)
    return found


def pip_nvidia_packages():
    try:
        from importlib import metadata
        return sorted(f"{d.metadata['Name']} {d.version}" for d in metadata.distributions()
                      if (d.metadata["Name"] or "").lower().startswith("nvidia-"))
    except Exception:  # noqa: BLE001 - a probe reports what it can
        return []


def probe(args):
    cache = ldconfig_libs()
    dirs = search_dirs()
    result = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "mode": args.mode}
    cpu_model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), None)
    result["machine"] = {"cpu": cpu_model, "cores": os.cpu_count(), "kernel": platform.release(),
                         "glibc": os.confstr("CS_GNU_LIBC_VERSION") if hasattr(os, "confstr") else None,
                         "python": sys.version.split()[0], "python_executable": sys.executable}
    # GPU and driver.
    code, out, err = run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total,compute_cap", "--format=csv,noheader"])
    gpus = [dict(zip(["name", "driver", "memory", "compute_capability"], [x.strip() for x in line.split(",")]))
            for line in out.splitlines()] if code == 0 else []
    code2, smi, _ = run(["nvidia-smi"])
    cuda_driver = re.search(r"CUDA Version:\s*([\d.]+)", smi) if code2 == 0 else None
    result["gpu"] = {"nvidia_smi": code == 0, "gpus": gpus, "driver_cuda_version": cuda_driver.group(1) if cuda_driver else None,
                     "error": None if code == 0 else (err or "nvidia-smi not found")[:300],
                     "libcuda": find_lib("libcuda.so.1", cache, dirs)}
    # Vulkan: loader and ICDs (the webgpu provider's Dawn uses Vulkan on Linux).
    loader = find_lib("libvulkan.so.1", cache, dirs)
    carried = os.path.join(args.libs, "libvulkan.so.1") if args.libs else None
    icd_files = []
    for var in ("VK_DRIVER_FILES", "VK_ICD_FILENAMES"):
        icd_files += [f for f in os.environ.get(var, "").split(":") if f]
    for d in ICD_DIRS:
        icd_files += sorted(glob.glob(os.path.join(d, "*.json")))
    icds = []
    for f in dict.fromkeys(icd_files):
        entry = {"file": f, "exists": os.path.exists(f)}
        try:
            lib = json.load(open(f)).get("ICD", {}).get("library_path")
            entry["library_path"] = lib
            entry["library_found"] = bool(lib) and (os.path.exists(lib) if "/" in lib else bool(find_lib(lib, cache, dirs)))
        except (OSError, ValueError) as err:
            entry["error"] = str(err)[:200]
        entry["nvidia"] = "nvidia" in f.lower() or "nvidia" in str(entry.get("library_path", "")).lower()
        icds.append(entry)
    nvidia_icd = next((i for i in icds if i["nvidia"] and i.get("library_found")), None)
    result["vulkan"] = {"loader": loader, "carried_loader": carried if carried and os.path.exists(carried) else None,
                        "icds": icds, "nvidia_icd": nvidia_icd["file"] if nvidia_icd else None}
    # CUDA 12 runtime, cuDNN 9, and onnxruntime's CUDA provider libraries (not in the npm package).
    cuda_libs = {s: find_lib(s, cache, dirs) for s in CUDA12_LIBS + [CUDNN9]}
    ort_extra = [os.path.join(args.ort_dir, n) for n in ("libonnxruntime_providers_cuda.so", "libonnxruntime_providers_shared.so")]
    nvidia_pkgs = pip_nvidia_packages()
    result["cuda_provider"] = {"libraries": cuda_libs, "onnxruntime_provider_files": {os.path.basename(p): os.path.exists(p) for p in ort_extra},
                               "pip_nvidia_packages": nvidia_pkgs}
    # Torch.
    torch_info = {"available": False}
    try:
        import torch
        torch_info = {"available": True, "version": torch.__version__, "cuda": torch.version.cuda,
                      "cuda_available": torch.cuda.is_available()}
        if torch.cuda.is_available():
            torch_info["device"] = torch.cuda.get_device_name(0)
            torch_info["capability"] = list(torch.cuda.get_device_capability(0))
            torch_info["cudnn"] = torch.backends.cudnn.version()
    except Exception as err:  # noqa: BLE001
        torch_info["error"] = str(err)[:300]
    result["torch"] = torch_info

    # Verdicts: can each provider start, and if not, why.
    providers = {"cpu": {"expected_to_start": True, "reasons": []}}
    why = []
    if not gpus:
        why.append("no NVIDIA GPU (nvidia-smi: " + (result["gpu"]["error"] or "no GPU listed") + ")")
    if not loader and not result["vulkan"]["carried_loader"]:
        why.append("no Vulkan loader (libvulkan.so.1) on the machine or in the archive")
    elif not loader:
        why.append("no Vulkan loader on the machine: the archive's libvulkan.so.1 is used")
    if not nvidia_icd:
        why.append("no NVIDIA Vulkan ICD (looked in " + ", ".join(ICD_DIRS) + " and VK_DRIVER_FILES/VK_ICD_FILENAMES)")
    providers["webgpu"] = {"expected_to_start": bool(gpus) and bool(loader or result["vulkan"]["carried_loader"]) and bool(nvidia_icd),
                           "reasons": why}
    why = []
    if not gpus:
        why.append("no NVIDIA GPU / driver")
    missing_ep = [os.path.basename(p) for p in ort_extra if not os.path.exists(p)]
    if missing_ep:
        why.append("onnxruntime CUDA provider files missing (" + ", ".join(missing_ep) + "): they are not in the npm package "
                   "and the install script downloads them from NuGet, which needs network (docs/gpu.md)")
    missing12 = [s for s in CUDA12_LIBS if not cuda_libs[s]]
    if missing12:
        why.append("CUDA 12 runtime libraries missing: " + ", ".join(missing12) +
                   (f" (torch here is built for CUDA {torch_info.get('cuda')})" if torch_info.get("cuda") else ""))
    if not cuda_libs[CUDNN9]:
        why.append("cuDNN 9 (libcudnn.so.9) missing")
    elif any("cudnn-cu13" in p for p in nvidia_pkgs) and not any("cudnn-cu12" in p for p in nvidia_pkgs):
        why.append("the cuDNN 9 found is pip's nvidia-cudnn-cu13, a CUDA 13 build; the provider needs cuDNN 9 for CUDA 12")
    providers["cuda"] = {"expected_to_start": not why, "reasons": why}
    result["providers"] = providers
    # What gpu-run.sh should export for Vulkan.
    env = {}
    icd = nvidia_icd or next((i for i in icds if i["nvidia"] and i["exists"]), None)
    if icd and not any(os.path.dirname(icd["file"]) == d for d in ICD_DIRS[:3]):
        env["VK_DRIVER_FILES"] = icd["file"]
    result["env"] = env
    json.dump(result, open(args.out, "w"), indent=2)
    print(json.dumps({k: {"expected_to_start": v["expected_to_start"], "reasons": v["reasons"]} for k, v in providers.items()}))


def frames(args):
    """The first N frames of the clip as raw 8-bit grey, for `sam2rad bench --frames` (no ffmpeg on the GPU machine:
    OpenCV's bundled decoder there, ffmpeg here)."""
    os.makedirs(args.out, exist_ok=True)
    raw = os.path.join(args.out, "frames.gray")
    width = height = None
    fps = 30.0
    count = 0
    how = None
    try:
        import cv2
        cap = cv2.VideoCapture(args.clip)
        fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
        with open(raw, "wb") as f:
            while count < args.count:
                ok, img = cap.read()
                if not ok:
                    break
                grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
                height, width = grey.shape
                f.write(grey.tobytes())
                count += 1
        how = f"opencv {cv2.__version__}"
    except ImportError:
        pass
    if not count and not shutil.which("ffmpeg"):
        # Last resort: synthetic frames of the clip's usual size (a bright ellipse moving over speckle), so that
        # speed can still be measured; frames.json says so.
        import numpy as np
        width, height, fps = 640, 432, 30.0
        rng = np.random.default_rng(0)
        yy, xx = np.mgrid[0:height, 0:width]
        with open(raw, "wb") as f:
            for i in range(args.count):
                img = rng.integers(0, 60, (height, width)).astype(np.float32)
                cx, cy = 320 + 60 * np.sin(i / 5), 216 + 30 * np.cos(i / 7)
                img[((xx - cx) / 120) ** 2 + ((yy - cy) / 80) ** 2 < 1] += 150
                f.write(img.clip(0, 255).astype(np.uint8).tobytes())
        count, how = args.count, "synthetic (neither OpenCV nor ffmpeg could decode " + args.clip + ")"
    if not count:
        ffmpeg = shutil.which("ffmpeg")
        code, out, err = run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height,r_frame_rate",
                              "-of", "json", args.clip])
        s = json.loads(out)["streams"][0]
        width, height = s["width"], s["height"]
        num, den = s["r_frame_rate"].split("/")
        fps = float(num) / float(den)
        code, _, err = run([ffmpeg, "-v", "error", "-y", "-i", args.clip, "-frames:v", str(args.count), "-f", "rawvideo",
                            "-pix_fmt", "gray", raw], timeout=60)
        if code != 0:
            sys.exit("frames: ffmpeg failed: " + err)
        count = os.path.getsize(raw) // (width * height)
        how = "ffmpeg"
    desc = {"file": "frames.gray", "width": width, "height": height, "fps": round(fps, 3), "frames": count, "decoded_by": how}
    json.dump(desc, open(os.path.join(args.out, "frames.json"), "w"))
    print(f"frames: {count} of {width}x{height} at {fps:.2f} fps ({how})")


def torch_reference(args):
    """The five graphs of the runtime, as PyTorch modules (training/export/export_onnx.py's graph_modules), timed on one
    device with the export's probe inputs (batch 1, 5 points: the two learned box corners and 3 padding slots, so the
    mask refiner is skipped as on an unprompted frame; the memory bank full). fp32, then autocast fp16 and bf16 on cuda.
    Weights are random: speed does not depend on them."""
    import torch
    sys.path.insert(0, ROOT)
    from training.export.export_onnx import concrete, graph_modules, graph_specs, probe_tensor
    from training.model.config import ModelConfig
    from training.model.model import Sam2Rad

    device = torch.device(args.device)
    torch.manual_seed(0)
    manifest = json.load(open(os.path.join(ROOT, "models", "sam2rad-us", "manifest.json")))
    configs = {"default": lambda: ModelConfig.from_dict(manifest["config"]), "full-size": ModelConfig.full_size,
               "small": ModelConfig}
    modes = ["fp32"] + (["fp16", "bf16"] if device.type == "cuda" else [])
    result = {"device": str(device), "torch": torch.__version__, "cuda": torch.version.cuda,
              "device_name": torch.cuda.get_device_name(0) if device.type == "cuda" else platform.processor() or "cpu",
              "tf32_matmul": torch.backends.cuda.matmul.allow_tf32, "threads": torch.get_num_threads(),
              "warmup": args.warmup, "iterations": args.iterations,
              "inputs": "export probe tensors, batch 1, point labels [2, 3, -1, -1, -1], memory bank full", "configs": {}}
    deadline = time.time() + args.budget
    for name in args.configs.split(","):
        if time.time() > deadline:
            result["configs"][name] = {"skipped": "time budget"}
            continue
        cfg = configs[name]()
        model = Sam2Rad(cfg).eval().to(device)
        specs = graph_specs(cfg)
        entry = {"image_size": cfg.image_size, "parameters": sum(p.numel() for p in model.parameters()), "modes": {}}
        for mode in modes:
            if time.time() > deadline:
                entry["modes"][mode] = {"skipped": "time budget"}
                continue
            per_graph = {}
            try:
                for gname, module in graph_modules(model).items():
                    inputs = []
                    for n, t, s in specs[gname][0]:
                        x = probe_tensor(n, t, concrete(s))
                        if n == "memory_valid":
                            x = torch.ones_like(x)
                        if n == "point_labels":
                            x = torch.tensor([[2.0, 3.0, -1.0, -1.0, -1.0]])
                        inputs.append(x.to(device))
                    ctx = torch.autocast(device.type, dtype=torch.float16 if mode == "fp16" else torch.bfloat16) \
                        if mode != "fp32" else torch.autocast(device.type, enabled=False)
                    times = []
                    with torch.inference_mode(), ctx:
                        for i in range(args.warmup + args.iterations):
                            if device.type == "cuda":
                                torch.cuda.synchronize()
                            t0 = time.perf_counter()
                            module(*inputs)
                            if device.type == "cuda":
                                torch.cuda.synchronize()
                            if i >= args.warmup:
                                times.append((time.perf_counter() - t0) * 1000)
                                if time.time() > deadline and len(times) >= 5:
                                    break  # fewer iterations rather than none
                    times.sort()
                    per_graph[gname] = {"p50": round(times[len(times) // 2], 3), "min": round(times[0], 3),
                                        "max": round(times[-1], 3), "n": len(times)}
                entry["modes"][mode] = {"graphs_ms": per_graph,
                                        "five_graphs_p50_sum_ms": round(sum(g["p50"] for g in per_graph.values()), 3)}
            except Exception as err:  # noqa: BLE001 - record and go on with the next mode
                entry["modes"][mode] = {"error": f"{type(err).__name__}: {str(err)[:300]}"}
            print(f"torch {name} {mode}: {entry['modes'][mode].get('five_graphs_p50_sum_ms', entry['modes'][mode])}", flush=True)
            result["configs"][name] = entry
            json.dump(result, open(args.out, "w"), indent=2)  # what is done survives a timeout
        if device.type == "cuda":
            entry["max_memory_allocated_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
            torch.cuda.reset_peak_memory_stats()
        result["configs"][name] = entry
        del model
        if device.type == "cuda":
            torch.cuda.empty_cache()
    json.dump(result, open(args.out, "w"), indent=2)


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
