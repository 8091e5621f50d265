"""gpu_run.py frames: the demo clip's first frames as raw grey for `sam2rad bench --frames`."""
import json
import os
import shutil
import sys

from probe import run


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
        code, out, err = run(["ffprobe", "-v", "error", "-select_streams", "v:0",
                              "-show_entries", "stream=width,height,r_frame_rate", "-of", "json", args.clip])
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
