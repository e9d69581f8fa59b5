#!/usr/bin/python3
"""The reference `bench features --encoder onnx:FILE | torchscript:FILE` is compared with: the same
model, as TorchScript, in PyTorch (torch.jit.load, torch.no_grad(), eval), on random input of the
card's size.

Usage: /usr/bin/python3 bench/pytorch_exported.py --model FILE.pt --height H --width W
         [--batch 16] [--threads 2] [--images 32] [--channels-last]
Needs Debian's python3-torch. Prints one JSON object.
"""
import argparse
import json
import time

import torch

p = argparse.ArgumentParser()
p.add_argument("--model", required=True)
p.add_argument("--height", type=int, required=True)
p.add_argument("--width", type=int, required=True)
p.add_argument("--batch", type=int, default=16)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--images", type=int, default=32)
p.add_argument("--channels-last", action="store_true", help="NHWC tensors, which oneDNN's convolutions prefer")
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)
net = torch.jit.load(a.model).eval()
x = torch.randn(a.batch, 3, a.height, a.width)
if a.channels_last:
    net = net.to(memory_format=torch.channels_last)
    x = x.to(memory_format=torch.channels_last)
with torch.no_grad():
    net(x)  # warm-up
    net(x)
    calls = -(-a.images // a.batch)
    start = time.time()
    for _ in range(calls):
        net(x)
    seconds = time.time() - start
print(json.dumps({"framework": "pytorch " + torch.__version__, "model": a.model, "batch": a.batch,
                  "threads": a.threads, "channels_last": a.channels_last, "images": calls * a.batch,
                  "seconds": seconds, "imagesPerSecond": calls * a.batch / seconds}))
