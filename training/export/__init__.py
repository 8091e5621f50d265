"""ONNX export and import, and the fp16 / int8 graph variants (convert_fp16 and quantize_int8 need only onnx)."""
