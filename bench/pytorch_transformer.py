#!/usr/bin/python3
"""The reference `captioner bench train --architecture transformer` is compared with: the same
transformer caption decoder written the way a careful PyTorch user writes it, with the library's
own nn.TransformerDecoder (pre-layer-norm, batch-first): the 14 x 14 x 512 annotations projected
to d_model and layer-normed as the memory, learned positions, 3 layers of d_model 256, 8 heads
and a 1,024-wide feed-forward block, a final layer norm and the output layer; dropout 0.1 (the
transformer's default), vocabulary 7,579, batch 64, Adam 1e-3, gradient clipping 5. Captions are
batched with others of similar length (as captioner batches them) and each batch is padded to
its longest caption only, with a causal mask and a key padding mask; the loss skips the padding. Captions are Flickr8k-shaped as in the Java benchmark (mean length 12 with markers,
longest 34, Zipf-like words).

Usage: /usr/bin/python3 bench/pytorch_transformer.py [--threads 2] [--batches 30] [--images 6000]
Needs Debian's python3-torch. Prints one JSON object: tokens/s counts next-word predictions.
"""
import argparse
import json
import math
import random
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--batches", type=int, default=30)
p.add_argument("--images", type=int, default=6000)
p.add_argument("--captions-per-image", type=int, default=5)
p.add_argument("--vocabulary", type=int, default=7579)
p.add_argument("--mean-length", type=int, default=12)
p.add_argument("--max-length", type=int, default=34)
p.add_argument("--batch", type=int, default=64)
p.add_argument("--layers", type=int, default=3)
p.add_argument("--d-model", type=int, default=256)
p.add_argument("--heads", type=int, default=8)
p.add_argument("--dropout", type=float, default=0.1)
p.add_argument("--seed", type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
rng = random.Random(a.seed)

L, D, V = 196, 512, a.vocabulary


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        d = a.d_model
        self.memory = nn.Sequential(nn.Linear(D, d), nn.LayerNorm(d))
        self.embedding = nn.Embedding(V, d)
        self.positions = nn.Parameter(torch.randn(a.max_length, d) * 0.02)
        self.dropout = nn.Dropout(a.dropout)
        layer = nn.TransformerDecoderLayer(d, a.heads, 4 * d, a.dropout, batch_first=True, norm_first=True)
        self.layers = nn.TransformerDecoder(layer, a.layers, norm=nn.LayerNorm(d))
        self.fc = nn.Linear(d, V)

    def forward(self, annotations, inputs, padding):
        t = inputs.size(1)
        x = self.dropout(self.embedding(inputs) + self.positions[:t])
        causal = torch.triu(torch.full((t, t), float("-inf")), diagonal=1)
        h = self.layers(x, self.memory(annotations), tgt_mask=causal, tgt_key_padding_mask=padding)
        return self.fc(h)


def caption(index):
    n = round(a.mean_length + rng.gauss(0, 1) * 3.5)
    n = a.max_length if index % 997 == 0 else max(3, min(a.max_length, n))
    words = [3 + int(min(V - 4, math.floor(rng.random() ** 3 * (V - 3)))) for _ in range(n - 2)]
    return [1] + words + [2]


examples = [(i, caption(i * a.captions_per_image + c)) for i in range(a.images) for c in range(a.captions_per_image)]
total_tokens = sum(len(t) - 1 for _, t in examples)
rng.shuffle(examples)
features = torch.relu(torch.rand(a.images, L, D) * 2 - 1)
decoder = Decoder()
optimizer = torch.optim.Adam(decoder.parameters(), lr=1e-3)
decoder.train()


def step(batch):
    rows = [e[0] for e in batch]
    longest = max(len(e[1]) for e in batch)
    captions = torch.tensor([e[1] + [0] * (longest - len(e[1])) for e in batch])
    inputs, targets = captions[:, :-1], captions[:, 1:]
    padding = inputs == 0
    scores = decoder(features[rows], inputs, padding)
    loss = F.cross_entropy(scores.reshape(-1, V), targets.reshape(-1), ignore_index=0)
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(decoder.parameters(), 5)
    optimizer.step()
    return int((targets != 0).sum())


# Batches of similar lengths, as captioner makes them (pools of 50 batches sorted by length, then
# the batches shuffled), so that neither side pads much.
batches = []
pool = a.batch * 50
for p0 in range(0, len(examples), pool):
    chunk = sorted(examples[p0:p0 + pool], key=lambda e: len(e[1]))
    batches += [chunk[i:i + a.batch] for i in range(0, len(chunk), a.batch)]
rng.shuffle(batches)
for b in batches[:3]:
    step(b)  # warm-up
n = min(a.batches, len(batches)) if a.batches > 0 else len(batches)
tokens = 0
start = time.time()
for b in batches[3:3 + n]:
    tokens += step(b)
seconds = time.time() - start
rate = tokens / seconds
print(json.dumps({"framework": "pytorch " + torch.__version__, "threads": a.threads, "batch": a.batch,
                  "batches": n, "tokens": tokens, "seconds": round(seconds, 3), "tokens_per_second": round(rate, 1),
                  "epoch_seconds": round(total_tokens / rate, 1),
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
