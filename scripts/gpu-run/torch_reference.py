"""gpu_run.py torch: the runtime's five graphs timed in PyTorch on the same machine (the reference)."""
import json
import os
import platform
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


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
