#!/usr/bin/python3
"""Writes the *_quantized.onnx variant of an exported pretrained folder, for `bench caption --variant
quantized`.

ONNX Runtime's quantizer (onnxruntime.quantization.quantize_dynamic, which Optimum and
Transformers.js quantize their exports with) is not packaged in Debian, so this does its dynamic
recipe with the onnx package alone, with quantize_dynamic's default numbers (per_channel=False,
reduce_range=False, weight_type=QInt8):
  - every MatMul whose second input is a constant weight becomes DynamicQuantizeLinear on the
    activation (uint8, scale and zero point computed per call) + MatMulInteger with the weight in
    int8 (symmetric, one scale per tensor) + Cast + Mul by the two scales; ONNX Runtime fuses that
    pattern into its DynamicQuantizeMatMul kernel when it loads the graph;
  - every Gather from a 2-D float table (the token and position embeddings) gathers 8-bit rows
    and dequantizes them.
Where it departs from quantize_dynamic called with no options: it also rewrites the merged
decoder's If branches (quantize_dynamic needs extra_options EnableSubgraph=True for that; without
it the merged decoder would stay in float); it looks through the Transpose that torch.onnx puts
on an nn.Linear weight (quantize_dynamic takes only an initializer); it leaves the patch
embedding's Conv in float (quantize_dynamic would make it a ConvInteger); its embedding tables are
int8 symmetric (quantize_dynamic's Gather gives uint8 asymmetric ones). The published
*_quantized.onnx files were made with ONNX Runtime; with which options is not known here. For the
full-size shapes this gives an encoder of 88 MB and a merged decoder of 193 MB (published: 87 MB
and 159 MB; this script keeps two 8-bit copies of the tied token embedding, the lookup's and the
output layer's, about 39 MB).
Usage: /usr/bin/python3 bench/quantize_dynamic.py DIR   (writes DIR/onnx/*_quantized.onnx)
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def quantize_weight(w):
    """Symmetric int8, one scale per tensor."""
    amax = float(np.abs(w).max())
    scale = amax / 127.0 if amax > 0 else 1.0
    q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
    return q, np.float32(scale)


def quantize_model(src, dst):
    model = onnx.load(src)
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    arrays = {}
    new_inits = []
    made = {}
    counts = {"MatMul": 0, "Gather": 0}

    def array(name):
        if name not in arrays:
            arrays[name] = numpy_helper.to_array(inits[name])
        return arrays[name]

    def quantized(key, w):
        """The int8 weight, its scale and zero point as initializers (once per weight)."""
        if key not in made:
            q, scale = quantize_weight(w)
            base = "q%d" % len(made)
            new_inits.append(numpy_helper.from_array(q, base + "_int8"))
            new_inits.append(numpy_helper.from_array(np.array(scale, dtype=np.float32), base + "_scale"))
            new_inits.append(numpy_helper.from_array(np.array(0, dtype=np.int8), base + "_zero"))
            made[key] = (base + "_int8", base + "_scale", base + "_zero")
        return made[key]

    def rewrite(g, producers):
        producers = dict(producers)
        for n in g.node:
            for o in n.output:
                producers[o] = n

        def constant_weight(name):
            """(key, 2-D float array) if the input is a weight, else None."""
            if name in inits and len(inits[name].dims) == 2 and inits[name].data_type == TensorProto.FLOAT:
                return name, array(name)
            p = producers.get(name)
            if p is not None and p.op_type == "Transpose" and p.input[0] in inits:
                w = array(p.input[0])
                perm = [a.ints for a in p.attribute if a.name == "perm"]
                if w.ndim == 2 and (not perm or list(perm[0]) == [1, 0]):
                    return p.input[0] + "^T", w.T
            return None

        nodes = []
        for n in g.node:
            for a in n.attribute:
                if a.type == onnx.AttributeProto.GRAPH:
                    rewrite(a.g, producers)
            if n.op_type == "MatMul" and constant_weight(n.input[1]) is not None:
                key, w = constant_weight(n.input[1])
                wq, ws, wz = quantized(key, np.ascontiguousarray(w))
                t = n.output[0] + "_q"
                nodes += [
                    helper.make_node("DynamicQuantizeLinear", [n.input[0]], [t + "_a", t + "_as", t + "_az"], name=t + "_dql"),
                    helper.make_node("MatMulInteger", [t + "_a", wq, t + "_az", wz], [t + "_i32"], name=t + "_mmi"),
                    helper.make_node("Cast", [t + "_i32"], [t + "_f"], to=TensorProto.FLOAT, name=t + "_cast"),
                    helper.make_node("Mul", [t + "_as", ws], [t + "_s"], name=t + "_scales"),
                    helper.make_node("Mul", [t + "_f", t + "_s"], [n.output[0]], name=t + "_mul"),
                ]
                counts["MatMul"] += 1
            elif (n.op_type == "Gather" and n.input[0] in inits and len(inits[n.input[0]].dims) == 2
                  and inits[n.input[0]].data_type == TensorProto.FLOAT):
                wq, ws, wz = quantized(n.input[0], array(n.input[0]))
                t = n.output[0] + "_q"
                axis = [a.i for a in n.attribute if a.name == "axis"]
                nodes += [
                    helper.make_node("Gather", [wq, n.input[1]], [t + "_i8"], axis=axis[0] if axis else 0, name=t + "_g"),
                    helper.make_node("DequantizeLinear", [t + "_i8", ws, wz], [n.output[0]], name=t + "_dq"),
                ]
                counts["Gather"] += 1
            else:
                nodes.append(n)
        del g.node[:]
        g.node.extend(nodes)

    rewrite(graph, {})
    # The Transposes of the float weights now feed nothing: drop them, then the weights.
    while True:
        used = set(o.name for o in graph.output)

        def uses(g):
            for n in g.node:
                used.update(n.input)
                for a in n.attribute:
                    if a.type == onnx.AttributeProto.GRAPH:
                        uses(a.g)
                        used.update(o.name for o in a.g.output)
        uses(graph)
        dropped = [0]

        def prune(g):
            live = [n for n in g.node if any(o in used for o in n.output) or not n.output]
            dropped[0] += len(g.node) - len(live)
            del g.node[:]
            g.node.extend(live)
            for n in g.node:
                for a in n.attribute:
                    if a.type == onnx.AttributeProto.GRAPH:
                        prune(a.g)
        prune(graph)
        if dropped[0] == 0:
            break
    kept = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept + new_inits)
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    print("%s: %d MatMuls and %d Gathers quantized, %.1f MB" % (dst, counts["MatMul"], counts["Gather"],
                                                              os.path.getsize(dst) / 1e6), file=sys.stderr)
    return {"file": os.path.basename(dst), "matmuls": counts["MatMul"], "gathers": counts["Gather"],
            "bytes": os.path.getsize(dst)}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    onnx_dir = os.path.join(sys.argv[1], "onnx")
    written = []
    for name in sorted(os.listdir(onnx_dir)):
        if name.endswith(".onnx") and not name.endswith("_quantized.onnx"):
            written.append(quantize_model(os.path.join(onnx_dir, name),
                                          os.path.join(onnx_dir, name[:-5] + "_quantized.onnx")))
    print(json.dumps({"quantized": written}))


if __name__ == "__main__":
    main()
