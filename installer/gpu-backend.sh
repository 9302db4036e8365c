#!/bin/sh
# Which GPU backend to build llama.cpp with (the Python binding and llama-server): prints cpu, cuda, vulkan or metal.
# Usage: gpu-backend.sh [auto|cpu|cuda|vulkan]   (the Makefile passes $MODELWERK_GPU; default auto)
# auto: CUDA when the CUDA toolkit's nvcc is found and an NVIDIA driver is loaded; Vulkan when the Vulkan SDK is found
# (glslc and the Vulkan headers) and the machine has a GPU render node; else the CPU. macOS: Metal, llama.cpp's default
# there. A toolkit without a GPU (a build box, or this project's test machines: nvcc 13 but no driver) builds for the
# CPU unless asked: a CUDA build takes far longer and cannot run there. Environment: MODELWERK_GPU_ROOT (tests) is
# prefixed to the device and header paths checked.
root=${MODELWERK_GPU_ROOT:-}
want=${1:-auto}
case "$want" in
  cpu | cuda | vulkan) echo "$want"; exit 0 ;;
  auto | "") ;;
  *) echo "MODELWERK_GPU must be auto, cpu, cuda or vulkan, not '$want'" >&2; exit 2 ;;
esac
if [ "$(uname -s)" = Darwin ] && [ -z "$root" ]; then echo metal; exit 0; fi
if command -v nvcc >/dev/null 2>&1 && [ -e "$root/dev/nvidiactl" ]; then echo cuda; exit 0; fi
if command -v glslc >/dev/null 2>&1; then
  for node in "$root"/dev/dri/renderD*; do
    [ -e "$node" ] || continue
    for h in "${VULKAN_SDK:+$VULKAN_SDK/include/vulkan/vulkan.h}" "$root/usr/include/vulkan/vulkan.h" \
             "$root/usr/local/include/vulkan/vulkan.h"; do
      if [ -n "$h" ] && [ -f "$h" ]; then echo vulkan; exit 0; fi
    done
  done
fi
echo cpu
