"""The integer matrix product of the range search's int8 pre-filter (`engine.vectors.range_scan`), as an
ONNX Runtime session: one MatMulInteger node, which runs ONNX Runtime's integer kernels (VNNI where the
CPU has it) on the calling thread."""

from __future__ import annotations

from typing import Any

import numpy as np


def int8_product_session(onnxruntime: Any, codes: np.ndarray) -> Any:
    """An ONNX Runtime session computing (1, d) uint8 minus its zero point times the (d, n) int8 codes
    into (1, n) int32 products, on the calling thread (no intra-op pool to wake or spin)."""
    from onnx import TensorProto, helper, numpy_helper

    n, dim = codes.shape
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["q", "codes", "zero"], ["products"])],
        "range_scan",
        [
            helper.make_tensor_value_info("q", TensorProto.UINT8, [1, dim]),
            helper.make_tensor_value_info("zero", TensorProto.UINT8, []),
        ],
        [helper.make_tensor_value_info("products", TensorProto.INT32, [1, n])],
        [numpy_helper.from_array(np.ascontiguousarray(codes.T), "codes")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
