#!/usr/bin/python3
"""The reference `captioner bench train --architecture attention` is compared with: Show, Attend
and Tell's soft-attention decoder written as its best-known PyTorch re-implementation writes it
(sgrvinod/a-PyTorch-Tutorial-to-Image-Captioning: captions sorted by length, each step run only
on the captions still going), at captioner's sizes: embedding, LSTM and attention 256, 14 x 14 x
512 annotations, vocabulary 7,579, batch 64, dropout 0.5, Adam 1e-3, gradient clipping 5, the
doubly stochastic regulariser with lambda 1. Captions are Flickr8k-shaped as in the Java benchmark
(mean length 12 with markers, longest 34, Zipf-like words).

Usage: /usr/bin/python3 bench/pytorch_attention.py [--threads 2] [--batches 30] [--images 6000]
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
p.add_argument("--seed", type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
rng = random.Random(a.seed)

L, D, E, U, A, V = 196, 512, 256, 256, 256, a.vocabulary


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder_att = nn.Linear(D, A)
        self.decoder_att = nn.Linear(U, A)
        self.full_att = nn.Linear(A, 1)

    def forward(self, annotations, projected, h):
        scores = self.full_att(torch.tanh(projected + self.decoder_att(h).unsqueeze(1))).squeeze(2)
        alpha = F.softmax(scores, dim=1)
        return (annotations * alpha.unsqueeze(2)).sum(dim=1), alpha


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = Attention()
        self.embedding = nn.Embedding(V, E)
        self.dropout = nn.Dropout(0.5)
        self.decode_step = nn.LSTMCell(E + D, U)
        self.init_h = nn.Linear(D, U)
        self.init_c = nn.Linear(D, U)
        self.f_beta = nn.Linear(U, D)
        self.fc = nn.Linear(U, V)

    def forward(self, annotations, captions, lengths):
        # Sorted by decreasing length; a caption of n tokens makes n - 1 predictions.
        lengths, order = lengths.sort(descending=True)
        annotations, captions = annotations[order], captions[order]
        decode_lengths = (lengths - 1).tolist()
        b, steps = annotations.size(0), max(decode_lengths)
        embeddings = self.embedding(captions)
        mean = annotations.mean(dim=1)
        h, c = self.init_h(mean), self.init_c(mean)
        projected = self.attention.encoder_att(annotations)
        predictions = torch.zeros(b, steps, V)
        alphas = torch.zeros(b, steps, L)
        for t in range(steps):
            bt = sum(n > t for n in decode_lengths)
            context, alpha = self.attention(annotations[:bt], projected[:bt], h[:bt])
            gate = torch.sigmoid(self.f_beta(h[:bt]))
            h, c = self.decode_step(torch.cat([embeddings[:bt, t, :], gate * context], dim=1), (h[:bt], c[:bt]))
            predictions[:bt, t, :] = self.fc(self.dropout(h))
            alphas[:bt, t, :] = alpha
        return predictions, captions, decode_lengths, alphas


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
    lengths = torch.tensor([len(e[1]) for e in batch])
    scores, captions, decode_lengths, alphas = decoder(features[rows], captions, lengths)
    targets = captions[:, 1:]
    scores = nn.utils.rnn.pack_padded_sequence(scores, decode_lengths, batch_first=True).data
    targets = nn.utils.rnn.pack_padded_sequence(targets, decode_lengths, batch_first=True).data
    # captioner's regulariser: summed over locations, averaged over the batch (the tutorial averages both).
    loss = F.cross_entropy(scores, targets) + ((1 - alphas.sum(dim=1)) ** 2).sum(dim=1).mean()
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(decoder.parameters(), 5)
    optimizer.step()
    return targets.numel()


batches = [examples[i:i + a.batch] for i in range(0, len(examples), a.batch)]
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
