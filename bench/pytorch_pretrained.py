#!/usr/bin/python3
"""The reference `captioner bench caption` is compared with, and the model it measures.

Builds a VisionEncoderDecoder with the published vit-gpt2-image-captioning's shapes (ViT-B/16 at
224 px: 12 layers of 768, 12 heads, 197 tokens; GPT-2 small with cross-attention: 12 layers of
768, 12 heads, vocabulary 50,257) and random weights, from the network the test fixture is made
of (src/test/resources/fixtures/hf/make_hf_fixtures.py), then either

  --export DIR   writes it in Optimum's layout (config, preprocessor and tokenizer files, and
                 onnx/encoder_model.onnx + onnx/decoder_model_merged.onnx), for captioner to run;
  --peer         times the same network in PyTorch eager with a key/value cache (the decoder fed
                 one token a step, the past keys and values carried), greedy to 20 tokens, at
                 batch 1 and batch 8, and prints one JSON object.

The end token gets no special weight, so with random weights every caption runs to the length
limit on both sides: the same work. Needs Debian's python3-torch and python3-onnx.
Usage: /usr/bin/python3 bench/pytorch_pretrained.py (--export DIR | --peer) [--threads 2] [--seed 1]
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("HF_D", "768")
os.environ.setdefault("HF_HEADS", "12")
os.environ.setdefault("HF_ENC_LAYERS", "12")
os.environ.setdefault("HF_DEC_LAYERS", "12")
os.environ.setdefault("HF_POSITIONS", "1024")
os.environ.setdefault("GAIN", "1.0")
os.environ.setdefault("CROSS_GAIN", "1.0")
os.environ.setdefault("EOS_PULL", "0")
os.environ.setdefault("EOS_SCALE", "0.6")
os.environ.setdefault("EOS_GROWTH", "0")

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "src", "test", "resources", "fixtures", "hf")
sys.path.insert(0, FIXTURES)

p = argparse.ArgumentParser()
p.add_argument("--export")
p.add_argument("--peer", action="store_true")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--seed", type=int, default=1)
p.add_argument("--runs", type=int, default=3)
a = p.parse_args()
os.environ["SEED"] = str(a.seed)

import torch  # noqa: E402

torch.set_num_threads(a.threads)
import make_hf_fixtures as m  # noqa: E402


def export(out):
    enc, dec = m.build()
    m.write_folder(os.path.join(FIXTURES, "vit-gpt2-tiny"), out)
    config_file = os.path.join(out, "config.json")
    config = json.load(open(config_file))
    config["_name_or_path"] = "captioner bench: vit-gpt2-image-captioning's shapes, random weights"
    config["encoder"].update(image_size=m.IMAGE, patch_size=m.PATCH)
    json.dump(config, open(config_file, "w"), indent=2)
    with torch.no_grad():
        m.export(enc, dec, os.path.join(out, "onnx"))
    for f in ("decoder_model.onnx", "decoder_with_past_model.onnx"):
        os.remove(os.path.join(out, "onnx", f))  # the merged graph is what the export publishes


def greedy(enc, dec, pixels):
    """Greedy to 20 tokens with a key/value cache: one token a step, the pasts carried."""
    b = pixels.shape[0]
    hidden = enc(pixels)
    pasts = [torch.zeros(b, m.HEADS, 0, m.D // m.HEADS) for _ in range(2 * m.DEC_LAYERS)]
    ids = torch.full((b, 1), m.EOS, dtype=torch.long)
    out = [ids]
    for _ in range(m.MAX_LENGTH - 1):
        logits, pasts = dec(ids, hidden, pasts)
        ids = torch.argmax(torch.log_softmax(logits[:, -1, :], dim=-1), dim=-1, keepdim=True)
        out.append(ids)
    return torch.cat(out, dim=1)


def peer():
    torch.manual_seed(a.seed)
    enc, dec = m.build()
    result = {"threads": a.threads, "max_length": m.MAX_LENGTH}
    with torch.no_grad():
        for batch in (1, 8):
            x = torch.randn(batch, 3, m.IMAGE, m.IMAGE)
            greedy(enc, dec, x)  # warm-up
            times = []
            for _ in range(a.runs):
                t0 = time.perf_counter()
                ids = greedy(enc, dec, x)
                times.append(time.perf_counter() - t0)
            best = min(times)
            result["batch%d" % batch] = {"seconds": times, "captions_per_second": batch / best,
                                         "tokens": int(ids.shape[1])}
    # VmHWM, not ru_maxrss: a child of the JVM inherits its parent's peak in ru_maxrss.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            result["peak_resident_mb"] = int(line.split()[1]) / 1024
    print(json.dumps(result))


if a.export:
    export(a.export)
elif a.peer:
    peer()
else:
    p.error("--export DIR or --peer")
