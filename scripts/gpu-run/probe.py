"""gpu_run.py probe: what the machine has for each onnxruntime provider (GPU and driver, Vulkan loader and ICDs,
CUDA 12 / cuDNN 9 libraries, onnxruntime's CUDA provider files, PyTorch) and why each can or cannot start."""
import glob
import json
import os
import platform
import re
import subprocess
import sys
import time

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
    ort_extra = [os.path.join(args.ort_dir, n)
                 for n in ("libonnxruntime_providers_cuda.so", "libonnxruntime_providers_shared.so")]
    nvidia_pkgs = pip_nvidia_packages()
    result["cuda_provider"] = {"libraries": cuda_libs,
                               "onnxruntime_provider_files": {os.path.basename(p): os.path.exists(p) for p in ort_extra},
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
    vulkan_loader = bool(loader or result["vulkan"]["carried_loader"])
    providers["webgpu"] = {"expected_to_start": bool(gpus) and vulkan_loader and bool(nvidia_icd), "reasons": why}
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
