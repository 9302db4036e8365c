"""The Jobs page: the quantization queue, its logs and evaluation results, and the Quantize dialog that adds jobs."""
