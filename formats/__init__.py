"""Model files: the one GGUF reader, safetensors headers, Hugging Face folders, the ggml and quantization type tables.

Pure and standard library only (plus hardware/ for ModelShape): the toolchain's Python runs workers that have neither
llama_cpp nor gguf. Headers are parsed once per file version per process (formats.cache).
"""
