#!/usr/bin/python3
"""The reference the features benchmark is compared with: VGG16 (fc2 feature, random weights)
in PyTorch on 224x224 input, as torchvision builds it, under torch.no_grad() with in-place ReLU.

Usage: /usr/bin/python3 bench/pytorch_vgg16.py [--batch 16] [--threads 2] [--images 32] [--channels-last]
Needs Debian's python3-torch (no torchvision). Prints one JSON object.
"""
import argparse
import json
import time

import torch
import torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument("--batch", type=int, default=16)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--images", type=int, default=32)
p.add_argument("--channels-last", action="store_true", help="NHWC tensors, which oneDNN's convolutions prefer")
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(1)
cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
layers, c = [], 3
for v in cfg:
    if v == "M":
        layers.append(nn.MaxPool2d(2, 2))
    else:
        layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU(inplace=True)]
        c = v
net = nn.Sequential(*layers, nn.Flatten(), nn.Linear(25088, 4096), nn.ReLU(True), nn.Linear(4096, 4096),
                    nn.ReLU(True)).eval()
x = torch.rand(a.batch, 3, 224, 224) * 255 - 128
if a.channels_last:
    net = net.to(memory_format=torch.channels_last)
    x = x.to(memory_format=torch.channels_last)
with torch.no_grad():
    net(x)  # warm-up
    calls = -(-a.images // a.batch)
    start = time.time()
    for _ in range(calls):
        net(x)
    seconds = time.time() - start
print(json.dumps({"framework": "pytorch " + torch.__version__, "batch": a.batch, "threads": a.threads,
                  "channels_last": a.channels_last,
                  "images": calls * a.batch, "seconds": seconds, "imagesPerSecond": calls * a.batch / seconds}))
