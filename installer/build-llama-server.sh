#!/usr/bin/env bash
# Builds llama.cpp's own llama-server and RPC worker from the llama-cpp-python sdist (vendor/llama.cpp: the same
# llama.cpp commit as the Python binding) and installs them as DEST/llama-server and DEST/ggml-rpc-server (-DGGML_RPC=ON:
# llama-server's `--rpc host:port,...` spreads a model over such workers; `modelwerk worker` runs one; this llama.cpp
# names the rpc-server target ggml-rpc-server). Built once per version and flags into a cache outside the
# checkout (like pip's wheel cache), so a clean clone reuses it: 3-4 minutes on 2 cores the first time, 0 s after.
# Usage: build-llama-server.sh DEST_DIR [PYTHON]     Environment: CMAKE_ARGS (the same GPU options as the binding).
set -euo pipefail
dest=${1:?usage: build-llama-server.sh DEST_DIR [PYTHON]}
py=${2:-python3}
version=$("$py" -c 'import importlib.metadata as m; print(m.version("llama-cpp-python"))')
# The Makefile exports CMAKE_ARGS=-DGGML_NATIVE=OFF for the binding; that one is already here, so it does not change
# the cache key (a build by hand and one by make share the cache).
extra=$(printf '%s' "${CMAKE_ARGS:-}" | sed -e 's/-DGGML_NATIVE=OFF//g' -e 's/^ *//' -e 's/ *$//')
flags="-DGGML_NATIVE=OFF -DBUILD_SHARED_LIBS=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF \
-DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON -DGGML_RPC=ON $extra"
key=$(printf '%s %s' "$version" "$flags" | sha256sum | cut -c1-12)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/modelwerk/llama-server/$version-$key"
exe=""
case "$(uname -s)" in MINGW* | MSYS* | CYGWIN*) exe=".exe" ;; esac
jobs=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
if [ ! -x "$cache/llama-server$exe" ] || [ ! -x "$cache/ggml-rpc-server$exe" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "Building llama-server and ggml-rpc-server $version from the llama-cpp-python sdist; 4-6 minutes on 2 cores."
  "$py" -m pip download -q --no-deps --no-binary :all: "llama-cpp-python==$version" -d "$work"
  tar -xzf "$work"/llama_cpp_python-"$version".tar.gz -C "$work"
  src="$work/llama_cpp_python-$version/vendor/llama.cpp"
  # shellcheck disable=SC2086
  cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release $flags >"$work/cmake.log" 2>&1 \
    || { tail -30 "$work/cmake.log"; exit 1; }
  cmake --build "$work/build" --config Release --target llama-server ggml-rpc-server -j"$jobs" >"$work/build.log" 2>&1 \
    || { tail -30 "$work/build.log"; exit 1; }
  mkdir -p "$cache.tmp"
  # Single-config generators put it in bin/, Visual Studio's in bin/Release/.
  for name in llama-server ggml-rpc-server; do
    for bin in "$work/build/bin/$name$exe" "$work/build/bin/Release/$name$exe"; do
      [ -f "$bin" ] && cp "$bin" "$cache.tmp/" && break
    done
    [ -f "$cache.tmp/$name$exe" ] || { echo "the build made no $name$exe under $work/build/bin" >&2; exit 1; }
  done
  printf '%s\n' "$version" "$flags" >"$cache.tmp/BUILD-INFO"
  rm -rf "$cache" && mv "$cache.tmp" "$cache"
fi
mkdir -p "$dest"
# Unlinked first: a running llama-server (a chat, a job) keeps its old file, and cp over it would fail "Text file busy".
rm -f "$dest/llama-server$exe" "$dest/ggml-rpc-server$exe" "$dest/BUILD-INFO"
cp "$cache/llama-server$exe" "$cache/ggml-rpc-server$exe" "$cache/BUILD-INFO" "$dest/"
"$dest/llama-server$exe" --version 2>&1 | head -2
