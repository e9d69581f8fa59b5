#!/usr/bin/python3
"""The reference for captioning a large photo: Pillow decodes it whole, or with draft() (libjpeg's
DCT scaling to the smallest 1/2, 1/4 or 1/8 that still covers the network's input), resizes it to
the input with NEAREST (as Keras' load_img), and the same image network, random weights, runs on it
in PyTorch under torch.no_grad(): the concepts encoder's four conv-BN-ReLU-pool blocks and dense
layer, or VGG16 to fc2.

Usage: /usr/bin/python3 bench/photo_peer.py --photo FILE --size 64 --net concepts
       [--channels 16,32,64,64] [--feature-dim 256] [--runs 20] [--threads 2]
Needs Debian's python3-pil, python3-numpy and python3-torch. Prints one JSON object (medians, ms).
"""
import argparse
import io
import json
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

p = argparse.ArgumentParser()
p.add_argument("--photo", required=True)
p.add_argument("--size", type=int, default=64)
p.add_argument("--net", choices=["concepts", "vgg16"], default="concepts")
p.add_argument("--channels", default="16,32,64,64")
p.add_argument("--feature-dim", type=int, default=256)
p.add_argument("--runs", type=int, default=20)
p.add_argument("--threads", type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)

layers, c = [], 3
if a.net == "concepts":
    for w in [int(x) for x in a.channels.split(",")]:
        layers += [nn.Conv2d(c, w, 3, padding=1), nn.BatchNorm2d(w), nn.ReLU(True), nn.MaxPool2d(2, 2)]
        c = w
    side = a.size // 16
    layers += [nn.Flatten(), nn.Linear(c * side * side, a.feature_dim), nn.ReLU(True)]
else:
    for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU(True)]
            c = v
    layers += [nn.Flatten(), nn.Linear(25088, 4096), nn.ReLU(True), nn.Linear(4096, 4096), nn.ReLU(True)]
net = nn.Sequential(*layers).eval()
data = open(a.photo, "rb").read()


def decode(draft):
    im = Image.open(io.BytesIO(data))
    if draft:
        im.draft("RGB", (a.size, a.size))
    im = im.convert("RGB")
    decoded = im.size
    return im.resize((a.size, a.size), Image.NEAREST), decoded


def timed(f):
    f()
    times = []
    for _ in range(a.runs):
        t0 = time.perf_counter()
        f()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def caption_input(draft):
    im, _ = decode(draft)
    x = torch.from_numpy(np.asarray(im, dtype=np.float32) / 255).permute(2, 0, 1).unsqueeze(0)
    with torch.no_grad():
        net(x)


x = torch.rand(1, 3, a.size, a.size)
with torch.no_grad():
    network = timed(lambda: net(x))
print(json.dumps({
    "net": a.net, "size": a.size, "threads": a.threads, "runs": a.runs,
    "decoded_with_draft": list(decode(True)[1]),
    "decode_full_ms": round(timed(lambda: decode(False)), 2),
    "decode_draft_ms": round(timed(lambda: decode(True)), 2),
    "network_ms": round(network, 2),
    "draft_total_ms": round(timed(lambda: caption_input(True)), 2),
    "full_total_ms": round(timed(lambda: caption_input(False)), 2),
}))
